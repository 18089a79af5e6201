// The JSON of one run, as /api/v1/checks and `once --format json` give it: exact text, numbers
// as people write them (41.7, 0.000968495, 10), never 4.17E1.
#include <doctest/doctest.h>

#include "checks/json_text.h"
#include "prober/web/api/json_views.h"

TEST_CASE("a run's JSON is exact, with plain numbers") {
  prober::RunResult run;
  run.check = "api";
  run.startedAt = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  run.passed = false;
  run.durationSeconds = 0.0417;
  prober::StepOutcome step;
  step.name = "api";
  step.probe.status = 503;
  step.probe.totalSeconds = 0.0417;
  step.probe.phases = {0.000968495, 0.001, 0.0, 10.0, 0.5};
  step.probe.bodySize = 24;
  step.verdict.passed = false;
  step.verdict.failures = {"json $.price > 25 (got 24.99)"};
  step.verdict.reason = prober::FailureReason::Assertion;
  run.steps.push_back(step);
  CHECK(
      prober::toJsonText(prober::runToJson(run)) ==
      R"js({"started_at":"2027-01-15T08:00:00.000Z","passed":false,"duration_seconds":0.0417,)js"
      R"js("status":503,"failure_reason":"assertion","failures":["json $.price > 25 (got 24.99)"],)js"
      R"js("steps":[{"name":"api","passed":false,"status":503,"duration_seconds":0.0417,)js"
      R"js("phases":{"resolve":0.000968495,"connect":0.001,"tls":0,"processing":10,"transfer":0.5},)js"
      R"js("redirects":0,"body_bytes":24,"tls":false,"failures":["json $.price > 25 (got 24.99)"]}]})js");
}
