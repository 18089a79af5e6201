// CheckState's compact memory: the recent-run ring gives back what went in (to the second, the
// duration to a tenth of a millisecond), and the parts most checks never need stay unmade.
#include <doctest/doctest.h>

#include <chrono>

#include "prober/runtime/check_state.h"

using namespace std::chrono_literals;

namespace {

const auto kStart = std::chrono::system_clock::time_point(1'795'507'200'000ms);  // 2026-11-24

std::shared_ptr<prober::CheckSpec> plainSpec() {
  auto spec = std::make_shared<prober::CheckSpec>();
  spec->name = "api";
  prober::StepSpec step;
  step.name = "api";
  step.url = "http://127.0.0.1/health";
  spec->steps.push_back(step);
  return spec;
}

prober::RunResultPtr run(std::chrono::system_clock::time_point at, double seconds, int status,
                         bool passed) {
  auto result = std::make_shared<prober::RunResult>();
  result->check = "api";
  result->startedAt = at;
  result->durationSeconds = seconds;
  result->passed = passed;
  prober::StepOutcome step;
  step.name = "api";
  step.probe.status = status;
  step.verdict.passed = passed;
  if (!passed) {
    step.verdict.reason = prober::FailureReason::HttpStatus;
    step.verdict.failures.push_back("status == 200 (got " + std::to_string(status) + ")");
  }
  result->steps.push_back(step);
  return result;
}

}  // namespace

TEST_CASE("the recent-run ring keeps the time, duration, status and outcome of each run") {
  prober::CheckState state(plainSpec());
  state.record(run(kStart + 250ms, 0.01234, 200, true));
  state.record(run(kStart + 60s, 1.5, 503, false));
  state.record(run(kStart + 120s, 0, 0, false));  // no response at all

  const auto runs = state.history();
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].at == kStart);  // to the second
  CHECK(runs[0].seconds == doctest::Approx(0.0123).epsilon(1e-6));
  CHECK(runs[0].status == 200);
  CHECK(runs[0].passed);
  CHECK(runs[1].at == kStart + 60s);
  CHECK(runs[1].seconds == doctest::Approx(1.5));
  CHECK(runs[1].status == 503);
  CHECK_FALSE(runs[1].passed);
  CHECK(runs[2].status == 0);
  CHECK(runs[2].seconds == 0);
}

TEST_CASE("the ring holds the last 30 runs, oldest first, and clamps what does not fit") {
  prober::CheckState state(plainSpec());
  for (int i = 0; i < 45; ++i) {
    state.record(run(kStart + i * 1s, 0.001 * i, 200, true));
  }
  state.record(run(kStart + 45s, 1000.0, 999, true));  // longer than the 209.7 s the ring holds
  const auto runs = state.history();
  REQUIRE(runs.size() == prober::CheckState::kHistoryLength);
  CHECK(runs.front().at == kStart + 16s);
  CHECK(runs.front().seconds == doctest::Approx(0.016));
  CHECK(runs.back().seconds == doctest::Approx(209.7151));
  CHECK(runs.back().status == 999);
  CHECK(state.successes() == 46);
}

TEST_CASE("a check that never failed has no failure record; the first failure makes one") {
  prober::CheckState state(plainSpec());
  state.record(run(kStart, 0.01, 200, true));
  CHECK(state.failuresByReason() == nullptr);
  CHECK(state.lastFailure().empty());
  CHECK(state.lastFailureAt() == std::chrono::system_clock::time_point{});

  state.record(run(kStart + 60s, 0.02, 503, false));
  REQUIRE(state.failuresByReason() != nullptr);
  CHECK((*state.failuresByReason())[static_cast<std::size_t>(prober::FailureReason::HttpStatus)] ==
        1);
  CHECK(state.lastFailure() == "status == 200 (got 503)");
  CHECK(state.lastFailureAt() == kStart + 60s);
}
