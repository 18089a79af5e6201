#pragma once
// The judgement of one response against a step's assertions, kept apart from the response.
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_spec.h"
#include "checks/probe_result.h"
#include "checks/template.h"

namespace prober {

// Why a run failed, from a fixed set (the `reason` label of prober_check_failures_total).
enum class FailureReason {
  None,
  Dns,
  Connect,
  Tls,
  Timeout,
  HttpStatus,
  Assertion,
  BodyTooLarge,
  Extract,
  TooManyRedirects,
  Protocol,
  Request,   // the request could not be built (a placeholder's value cannot go in a header)
  Internal,  // keep last: kFailureReasonCount counts up to it
};
inline constexpr std::size_t kFailureReasonCount =
    static_cast<std::size_t>(FailureReason::Internal) + 1;
std::string_view failureReasonName(FailureReason reason);
// The reason a name stands for (nullopt for a name no reason has).
std::optional<FailureReason> parseFailureReason(std::string_view name);
FailureReason reasonFor(FailureKind kind);

struct Verdict {
  bool passed = false;
  FailureReason reason = FailureReason::None;
  // Why it failed, one line each: "status == 200 (got 503)", or the transport's reason
  // ("connection refused") when no response arrived.
  std::vector<std::string> failures;
  // The step's `degraded` assertions that failed, when the step passed ("latency < 300ms (got
  // 412ms)"): the run passes, degraded. Never set on a failed step.
  std::vector<std::string> degradations;
};

// Applies the step's assertions (or "any 2xx" when it has none) to one response; when they
// pass and `extracted` is given, reads the step's extractions into it (a value that is not
// there fails the step). `secrets` never appear in the failure messages.
Verdict judge(const StepSpec& step, const ProbeResult& result,
              std::chrono::system_clock::time_point now, Variables* extracted = nullptr,
              const std::vector<Secret>* secrets = nullptr);

std::ostream& operator<<(std::ostream& out, const Verdict& verdict);

}  // namespace prober
