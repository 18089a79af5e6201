#pragma once
// What one run of a check yields: immutable once built, shared by metrics, the API, history
// and alerting. A response's content goes once assertions have read it, so results stay small.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "checks/probe_result.h"
#include "checks/verdict.h"

namespace prober {

struct StepOutcome {
  std::string name;
  ProbeOutcome probe;  // the response without its content (its size is kept)
  Verdict verdict;
};

struct RunResult {
  std::string check;
  std::chrono::system_clock::time_point startedAt;
  double durationSeconds = 0;  // all steps that ran
  bool passed = false;
  bool multiStep = false;          // the check has several steps: failures name theirs
  std::vector<StepOutcome> steps;  // the steps that ran; a failed step is the last

  // Every failure of the run, in order, each prefixed "step NAME: " in a multi-step check.
  std::vector<std::string> failures() const {
    std::vector<std::string> all;
    for (const auto& step : steps) {
      for (const auto& failure : step.verdict.failures) {
        all.push_back(multiStep ? "step " + step.name + ": " + failure : failure);
      }
    }
    return all;
  }
  // The first reason the run failed ("status == 200 (got 503)"), or "" when it passed.
  std::string firstFailure() const {
    for (const auto& step : steps) {
      if (!step.verdict.failures.empty()) {
        const std::string& failure = step.verdict.failures.front();
        return multiStep ? "step " + step.name + ": " + failure : failure;
      }
    }
    return {};
  }
  // A passed run one of whose `degraded` assertions failed: the first such, "" otherwise.
  std::string firstDegradation() const {
    if (!passed) {
      return {};
    }
    for (const auto& step : steps) {
      if (!step.verdict.degradations.empty()) {
        const std::string& degradation = step.verdict.degradations.front();
        return multiStep ? "step " + step.name + ": " + degradation : degradation;
      }
    }
    return {};
  }
  bool degraded() const { return !firstDegradation().empty(); }
  // Why the run failed: the reason of its failed step (None when it passed).
  FailureReason failureReason() const {
    for (const auto& step : steps) {
      if (!step.verdict.passed) {
        return step.verdict.reason;
      }
    }
    return FailureReason::None;
  }
  const ProbeOutcome* lastProbe() const { return steps.empty() ? nullptr : &steps.back().probe; }
};

using RunResultPtr = std::shared_ptr<const RunResult>;

}  // namespace prober
