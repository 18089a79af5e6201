#pragma once
// What the page renderer tests build by hand: a fixed "now", check specs and finished runs, so
// each test reads as its inputs and the page they give, with no daemon, loop or server.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "alerting/alert_event.h"
#include "checks/text.h"
#include "prober/runtime/check_state.h"

namespace prober::render_test {

// 2026-12-07T12:00:00Z: noon, so an hour or a day back stays on a round clock time.
inline constexpr std::int64_t kNowMs = 1'796'644'800'000;
inline constexpr std::int64_t kMinuteMs = 60'000;

// A failure message quoting a hostile target, as the judge makes it: the bytes go through
// checks/text (the one place target bytes become valid UTF-8, SPEC §9) and the markup stays.
inline std::string hostileFailure() {
  return "body contains \"ok\" (got " + textFromTarget("<script>alert(1)</script> \xff\xfe&", 120) +
         ")";
}

inline std::shared_ptr<const CheckSpec> makeSpec(const std::string& name, const std::string& url,
                                                 Labels labels = {}) {
  auto spec = std::make_shared<CheckSpec>();
  spec->name = name;
  spec->labels = std::move(labels);
  StepSpec step;
  step.name = name;
  step.url = url;
  spec->steps.push_back(step);
  return spec;
}

// One finished single-step run; a failed one carries `failure` as its first failed assertion.
inline RunResultPtr makeRun(const std::string& check, std::int64_t atMs, double seconds, int status,
                            bool passed, const std::string& failure = "") {
  auto result = std::make_shared<RunResult>();
  result->check = check;
  result->startedAt = fromMillis(atMs);
  result->durationSeconds = seconds;
  result->passed = passed;
  StepOutcome step;
  step.name = check;
  step.probe.status = status;
  step.verdict.passed = passed;
  if (!passed) {
    step.verdict.reason = FailureReason::HttpStatus;
    step.verdict.failures.push_back(
        failure.empty() ? "status == 200 (got " + std::to_string(status) + ")" : failure);
  }
  result->steps.push_back(step);
  return result;
}

inline bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

inline std::size_t occurrences(std::string_view text, std::string_view part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string_view::npos;
       at = text.find(part, at + part.size())) {
    ++count;
  }
  return count;
}

// Where `part` first shows, failing the test when it does not, so order checks never compare
// two npos.
inline std::size_t positionOf(std::string_view text, std::string_view part) {
  const auto at = text.find(part);
  INFO("looking for: ", part);
  REQUIRE(at != std::string_view::npos);
  return at;
}

}  // namespace prober::render_test
