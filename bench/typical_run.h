#pragma once
// The run most checks record, for the benches that need one: one step over HTTPS that passed,
// as the check runner leaves it once judged (the response without its content).
#include <chrono>
#include <memory>

#include "checks/run_result.h"

namespace bench {

inline prober::RunResultPtr typicalRun(const prober::CheckSpec& spec,
                                       std::chrono::system_clock::time_point at) {
  auto result = std::make_shared<prober::RunResult>();
  result->check = spec.name;
  result->startedAt = at;
  result->durationSeconds = 0.0123456;
  result->passed = true;
  prober::StepOutcome step;
  step.name = spec.steps.front().name;
  step.probe.status = 200;
  step.probe.httpVersion = 11;
  step.probe.bodySize = 16;
  step.probe.contentLength = 16;
  step.probe.totalSeconds = 0.0123;
  step.probe.phases = {0.000101, 0.000234, 0.004101, 0.006789, 0.000123};
  step.probe.tls = true;
  step.probe.tlsVersion = "TLS 1.3";
  step.probe.certExpiry = at + std::chrono::hours(24 * 60);
  step.probe.ipProtocol = 4;
  step.verdict.passed = true;
  result->steps.push_back(std::move(step));
  return result;
}

}  // namespace bench
