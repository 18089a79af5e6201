// CheckAlerts: what each finished run means for a check's three alerts (its own, the
// certificate warning, the degraded warning), judged from the runs alone.
#include <doctest/doctest.h>

#include <chrono>
#include <list>

#include "alerting/check_alerts.h"

using namespace std::chrono_literals;

namespace {

const auto kNow = std::chrono::system_clock::time_point(1'795'507'200'000ms);  // 2026-11-24 08:00

prober::CheckSpec spec(int failureThreshold = 3, int successThreshold = 1) {
  prober::CheckSpec check;
  check.name = "api";
  check.failureThreshold = failureThreshold;
  check.successThreshold = successThreshold;
  prober::StepSpec step;
  step.name = "api";
  step.url = "https://api.example.com/health";
  check.steps.push_back(step);
  return check;
}

prober::CheckSpec degradable() {
  prober::CheckSpec check = spec();
  std::string error;
  auto latency = prober::Assertion::parse("latency < 300ms", error);
  REQUIRE(latency.has_value());
  check.steps.front().degradedAssertions.push_back(*latency);
  return check;
}

// A run started at `at`: passed or failed, degraded (a passed run only), seeing a certificate
// that expires at `expiry` (none when nullopt).
prober::RunResult run(std::chrono::system_clock::time_point at, bool passed, bool degraded = false,
                      std::optional<std::chrono::system_clock::time_point> expiry = {}) {
  prober::RunResult result;
  result.check = "api";
  result.startedAt = at;
  result.passed = passed;
  prober::StepOutcome step;
  step.name = "api";
  step.verdict.passed = passed;
  if (!passed) {
    step.verdict.failures.push_back("status == 200 (got 503)");
  } else if (degraded) {
    step.verdict.degradations.push_back("latency < 300ms (got 412ms)");
  }
  step.probe.certExpiry = expiry;
  result.steps.push_back(step);
  return result;
}

// A check's alerts fed runs, each kept alive while its judgement (which refers to it) is read.
struct Feed {
  explicit Feed(prober::CheckSpec check) : spec(std::move(check)), alerts(spec) {}
  prober::RunJudgement operator()(prober::RunResult result,
                                  std::chrono::system_clock::time_point now) {
    runs.push_back(std::move(result));
    return alerts.judge(spec, runs.back(), now);
  }
  prober::CheckSpec spec;
  prober::CheckAlerts alerts;
  std::list<prober::RunResult> runs;
};

}  // namespace

TEST_CASE("the alert fires at the failure_threshold-th failure, dated by the streak's first") {
  Feed feed(spec(3, 2));
  CHECK(feed(run(kNow, true), kNow).quiet());  // most runs ask nothing of the alerter

  const auto first = feed(run(kNow + 10s, false), kNow + 10s);
  CHECK(first.alert == prober::AlertTransition::None);
  CHECK(first.consecutiveFailures == 1);
  CHECK(first.failingSince == kNow + 10s);
  CHECK(first.quiet());  // a streak under the threshold asks nothing of the alerter either
  feed(run(kNow + 20s, false), kNow + 20s);
  const auto third = feed(run(kNow + 30s, false), kNow + 30s);
  CHECK(third.alert == prober::AlertTransition::Fire);
  CHECK(third.firing);
  CHECK(third.consecutiveFailures == 3);
  CHECK(third.failingSince == kNow + 10s);

  const auto pass = feed(run(kNow + 40s, true), kNow + 40s);
  CHECK(pass.alert == prober::AlertTransition::None);  // success_threshold is 2
  CHECK(pass.firing);
  const auto second = feed(run(kNow + 50s, true), kNow + 50s);
  CHECK(second.alert == prober::AlertTransition::Resolve);
  CHECK_FALSE(second.firing);
  CHECK(second.failingSince == kNow + 10s);  // the streak that ended, for the resolve
  CHECK(feed(run(kNow + 60s, true), kNow + 60s).quiet());

  // The next streak starts its own date.
  CHECK(feed(run(kNow + 70s, false), kNow + 70s).failingSince == kNow + 70s);
}

TEST_CASE("the certificate alert fires inside the window, once, and resolves beyond it") {
  prober::CheckSpec check = spec();
  check.certWarning = 21 * 24h;
  Feed feed(check);
  const auto seeing = [&](std::optional<std::chrono::system_clock::time_point> expiry) {
    return feed(run(kNow, true, false, expiry), kNow);
  };
  CHECK(seeing(kNow + 30 * 24h).certificate == prober::AlertTransition::None);
  const auto soon = seeing(kNow + 20 * 24h);
  CHECK(soon.certificate == prober::AlertTransition::Fire);
  CHECK(soon.certExpiry == kNow + 20 * 24h);
  CHECK(feed.alerts.certWarningFiring());
  CHECK(seeing(kNow + 20 * 24h).certificate == prober::AlertTransition::None);  // firing already
  // A run that reached no certificate (connection refused) changes nothing, and keeps the
  // expiry last seen for the series and for re-sends.
  const auto none = seeing(std::nullopt);
  CHECK(none.certificate == prober::AlertTransition::None);
  CHECK(none.certFiring);
  CHECK(none.certExpiry == kNow + 20 * 24h);
  CHECK(feed.alerts.certExpiry() == kNow + 20 * 24h);
  CHECK(seeing(kNow + 90 * 24h).certificate == prober::AlertTransition::Resolve);  // renewed
  CHECK_FALSE(feed.alerts.certWarningFiring());
}

TEST_CASE("without cert_warning a soon-expiring certificate pages no one, but is still seen") {
  Feed feed(spec());
  const auto judged = feed(run(kNow, true, false, kNow + 24h), kNow);
  CHECK(judged.certificate == prober::AlertTransition::None);
  CHECK(judged.quiet());
  CHECK_FALSE(feed.alerts.certWarningFiring());
  CHECK(feed.alerts.certExpiry() == kNow + 24h);  // probe_ssl_earliest_cert_expiry reads it
}

TEST_CASE("the degraded warning counts passed runs only and dates itself by the first") {
  Feed feed(degradable());
  feed(run(kNow, true, true), kNow);
  feed(run(kNow + 10s, false), kNow + 10s);  // a failure is not degraded
  feed(run(kNow + 20s, true, true), kNow + 20s);
  const auto third = feed(run(kNow + 30s, true, true), kNow + 30s);
  CHECK(third.degraded == prober::AlertTransition::Fire);
  CHECK(third.degradedRuns == 3);
  CHECK(third.degradedSince == kNow);
  CHECK(third.degradedFiring);
  const auto clean = feed(run(kNow + 40s, true), kNow + 40s);
  CHECK(clean.degraded == prober::AlertTransition::Resolve);
  CHECK(clean.degradedSince == kNow);
  CHECK_FALSE(feed.alerts.degradedAlert().firing());
}

TEST_CASE("the degraded warning of a check without degraded assertions never fires") {
  Feed feed(spec());
  CHECK(feed(run(kNow, true, true), kNow).degraded == prober::AlertTransition::None);
  CHECK_FALSE(feed.alerts.degradedAlert().firing());
  CHECK(feed.alerts.degradedSince() == std::chrono::system_clock::time_point{});
  // A restore (the store remembered it firing) makes the watch, and a carry-over keeps it.
  feed.alerts.restoreDegraded(feed.spec, true, 3, kNow);
  CHECK(feed.alerts.degradedAlert().firing());
  prober::CheckAlerts reloaded(feed.spec);
  reloaded.carryOver(feed.spec, feed.alerts);
  CHECK(reloaded.degradedAlert().firing());
  CHECK(reloaded.degradedSince() == kNow);
}

TEST_CASE("a reload carries the failure streak over; a restart restores what was kept") {
  Feed before(spec(3));
  before(run(kNow, false), kNow);
  before(run(kNow + 10s, false), kNow + 10s);
  Feed after(spec(3));
  after.alerts.carryOver(after.spec, before.alerts);
  const auto fired = after(run(kNow + 20s, false), kNow + 20s);
  CHECK(fired.alert == prober::AlertTransition::Fire);
  CHECK(fired.failingSince == kNow);

  Feed restarted(spec(3));
  restarted.alerts.restoreAlert(true, 5, kNow);
  CHECK(restarted.alerts.alert().firing());
  CHECK(restarted.alerts.failingSince() == kNow);
  CHECK(restarted(run(kNow + 30s, true), kNow + 30s).alert == prober::AlertTransition::Resolve);
}
