#include "prober/web/api/json_views.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "checks/duration.h"

namespace prober {

namespace {

boost::json::value probeToJson(const StepOutcome& step) {
  const ProbeOutcome& probe = step.probe;
  boost::json::object out;
  out["name"] = step.name;
  out["passed"] = step.verdict.passed;
  out["status"] = probe.status;
  if (!probe.gotResponse()) {
    out["error"] = probe.failureMessage;
    out["error_kind"] = std::string(failureKindName(probe.failure));
  }
  out["duration_seconds"] = probe.totalSeconds;
  out["phases"] = {{"resolve", probe.phases.resolve},
                   {"connect", probe.phases.connect},
                   {"tls", probe.phases.tls},
                   {"processing", probe.phases.processing},
                   {"transfer", probe.phases.transfer}};
  out["redirects"] = probe.redirects;
  out["body_bytes"] = probe.bodySize;
  out["tls"] = probe.tls;
  if (!probe.tlsVersion.empty()) {
    out["tls_version"] = probe.tlsVersion;
  }
  if (probe.certExpiry) {
    out["cert_expiry"] = isoTimestampUtc(*probe.certExpiry);
  }
  boost::json::array failures;
  for (const auto& failure : step.verdict.failures) {
    failures.emplace_back(failure);
  }
  out["failures"] = std::move(failures);
  return out;
}

}  // namespace

boost::json::value runToJson(const RunResult& run) {
  boost::json::object out;
  out["started_at"] = isoTimestampUtc(run.startedAt);
  out["passed"] = run.passed;
  out["duration_seconds"] = run.durationSeconds;
  const ProbeOutcome* last = run.lastProbe();
  out["status"] = last != nullptr ? last->status : 0;
  boost::json::array failures;
  for (const std::string& failure : run.failures()) {
    failures.emplace_back(failure);
  }
  boost::json::array steps;
  for (const auto& step : run.steps) {
    steps.push_back(probeToJson(step));
  }
  if (!run.passed) {
    out["failure_reason"] = std::string(failureReasonName(run.failureReason()));
  }
  out["failures"] = std::move(failures);
  out["steps"] = std::move(steps);
  return out;
}

boost::json::value checkToJson(const CheckState& state) {
  const CheckSpec& spec = *state.spec();
  boost::json::object out;
  out["name"] = spec.name;
  out["url"] = spec.displayUrl();
  out["interval_seconds"] = static_cast<double>(spec.interval.count()) / 1000.0;
  boost::json::object labels;
  for (const auto& [key, value] : spec.labels) {
    labels[key] = value;
  }
  out["labels"] = std::move(labels);
  out["state"] = !state.last() ? "pending" : (state.last()->passed ? "passing" : "failing");
  out["alert_firing"] = state.alert().firing();
  out["consecutive_failures"] = state.alert().consecutiveFailures();
  // Passing, but a `degraded` assertion failed; its warning fires after failure_threshold such.
  out["degraded"] = state.degraded();
  out["degraded_alert_firing"] = state.degradedAlert().firing();
  // What holds its pages now: a maintenance window or silence, checks it depends on that fire.
  const CheckState::HoldMarks* marks = state.holdMarks();
  out["silenced"] = state.silenced();
  out["silenced_by"] = state.silenced() ? boost::json::value(marks->silencedBy) : nullptr;
  boost::json::array suppressedBy;
  if (marks != nullptr) {
    for (const std::string& parent : marks->suppressedBy) {
      suppressedBy.emplace_back(parent);
    }
  }
  out["suppressed"] = state.suppressed();
  out["suppressed_by"] = std::move(suppressedBy);
  out["runs"] = {
      {"success", state.successes()}, {"failure", state.failures()}, {"skipped", state.skipped()}};
  if (state.last()) {
    out["last_result"] = runToJson(*state.last());
  } else {
    out["last_result"] = nullptr;
  }
  return out;
}

boost::json::value historyToJson(const std::string& check, std::int64_t sinceMs,
                                 const std::vector<RunRecord>& runs,
                                 const std::vector<HistoryEvent>& events) {
  const auto at = [](std::int64_t ms) { return isoTimestampUtc(fromMillis(ms)); };
  boost::json::array runArray;
  runArray.reserve(runs.size());
  for (const RunRecord& run : runs) {
    boost::json::object item{{"at", at(run.atMs)},
                             {"passed", run.passed},
                             {"latency_ms", run.latencyMs},
                             {"status", run.status}};
    if (!run.passed) {
      item["reason"] = run.reason;
      item["failure"] = run.failure;
    }
    runArray.push_back(std::move(item));
  }
  boost::json::array eventArray;
  for (const HistoryEvent& event : events) {
    boost::json::object item{{"at", at(event.atMs)},
                             {"type", typeName(event.type)},
                             {"alert", event.check},
                             {"action", event.action}};
    if (event.type == HistoryEvent::Type::Notification) {
      item["notifier"] = event.notifier;
      item["outcome"] = event.outcome;
      item["answer"] = event.detail;
    } else if (!event.detail.empty()) {
      item["detail"] = event.detail;
    }
    eventArray.push_back(std::move(item));
  }
  return boost::json::object{{"check", check},
                             {"since", at(sinceMs)},
                             {"runs", std::move(runArray)},
                             {"events", std::move(eventArray)}};
}

}  // namespace prober
