#include "checks/verdict.h"

#include <fmt/format.h>
#include <ostream>

namespace prober {

Verdict judge(const StepSpec& step, const ProbeResult& result,
              std::chrono::system_clock::time_point now) {
  Verdict verdict;
  if (!result.gotResponse()) {
    verdict.failures.push_back(result.failureReason);
    return verdict;
  }
  if (step.assertions.empty()) {
    if (result.status < 200 || result.status > 299) {
      verdict.failures.push_back(fmt::format("status == 2xx (got {})", result.status));
    }
  } else {
    EvaluationContext context(result, now);
    for (const Assertion& assertion : step.assertions) {
      AssertionOutcome outcome = assertion.evaluate(context);
      if (!outcome.passed) {
        verdict.failures.push_back(std::move(outcome.message));
      }
    }
  }
  verdict.passed = verdict.failures.empty();
  return verdict;
}

std::ostream& operator<<(std::ostream& out, const Verdict& verdict) {
  out << (verdict.passed ? "passed" : "failed");
  for (const auto& failure : verdict.failures) {
    out << "; " << failure;
  }
  return out;
}

}  // namespace prober
