#pragma once
// The judgement of one response against a step's assertions, kept apart from the response.
#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/probe_result.h"

namespace prober {

struct Verdict {
  bool passed = false;
  // Why it failed, one line each: "status == 200 (got 503)", or the transport's reason
  // ("connection refused") when no response arrived.
  std::vector<std::string> failures;
};

// Applies the step's assertions (or "any 2xx" when it has none) to one response.
Verdict judge(const StepSpec& step, const ProbeResult& result,
              std::chrono::system_clock::time_point now);

std::ostream& operator<<(std::ostream& out, const Verdict& verdict);

}  // namespace prober
