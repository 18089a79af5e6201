// What history keeps of the daemon's runs, alert transitions and deliveries.
#include "alerting/alert_event.h"
#include "alerting/pager.h"
#include "alerting/store.h"
#include "checks/run_result.h"
#include "history/history.h"

namespace prober {

RunRecord runRecordOf(const RunResult& run) {
  RunRecord record;
  record.atMs = toMillis(run.startedAt);
  record.check = run.check;
  record.passed = run.passed;
  record.latencyMs = run.durationSeconds * 1000;
  for (const StepOutcome& step : run.steps) {
    const PhaseTimings& p = step.probe.phases;
    const double seconds[] = {p.resolve, p.connect, p.tls, p.processing, p.transfer};
    for (std::size_t i = 0; i < record.phaseMs.size(); ++i) {
      record.phaseMs[i] += static_cast<float>(seconds[i] * 1000);
    }
  }
  if (const ProbeOutcome* last = run.lastProbe()) {
    record.status = last->status;
  }
  if (!run.passed) {
    record.reason = std::string(failureReasonName(run.failureReason()));
    record.failure = run.firstFailure();  // secrets were replaced when the run was judged
  }
  return record;
}

HistoryEvent alertRecordOf(const std::string& key, const AlertEvent& event) {
  HistoryEvent record;
  record.atMs = toMillis(event.at);
  record.type = HistoryEvent::Type::Alert;
  record.check = key;
  record.action = event.action == AlertAction::Trigger ? "fired" : "resolved";
  if (event.kind == AlertKind::Certificate) {
    record.detail = certSummary(event);
  } else if (event.action == AlertAction::Trigger && !event.failedAssertions.empty()) {
    record.detail = event.failedAssertions.front();
  }
  return record;
}

HistoryEvent holdRecordOf(const std::string& key, const AlertEvent& event, std::string action,
                          std::string detail) {
  HistoryEvent record;
  record.atMs = toMillis(event.at);
  record.type = HistoryEvent::Type::Alert;
  record.check = key;
  record.action = std::move(action);
  record.detail = std::move(detail);
  return record;
}

HistoryEvent notificationRecordOf(const OutboxRow& row, DeliveryResult result,
                                  const std::string& answer, std::int64_t atMs) {
  HistoryEvent record;
  record.atMs = atMs;
  record.type = HistoryEvent::Type::Notification;
  record.check = row.check;
  record.action = std::string(actionName(row.event.action));
  record.notifier = row.notifier;
  record.outcome = std::string(deliveryResultName(result));
  record.detail = answer;
  return record;
}

}  // namespace prober
