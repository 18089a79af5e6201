#pragma once
// What the alerter did, written down: alert changes and delivery attempts go to the history,
// deliveries and refused state writes to the process metrics.
#include "alerting/alerter.h"
#include "history/history.h"
#include "prober/web/metrics/process_metrics.h"

namespace prober {

class AlertRecorder final : public AlerterObserver {
 public:
  AlertRecorder(HistoryWriter& history, ProcessMetrics& metrics,
                std::function<std::int64_t()> nowMs)
      : history_(history), metrics_(metrics), nowMs_(std::move(nowMs)) {}

  void alertChanged(const std::string& key, const AlertEvent& event) override {
    history_.add(alertRecordOf(key, event));
  }
  void deliveryAttempted(const OutboxRow& row, DeliveryResult result,
                         const std::string& answer) override {
    metrics_.countNotification(row.notifier, deliveryResultName(result));
    if (result == DeliveryResult::Refused || result == DeliveryResult::Rejected) {
      metrics_.setNotifierRefusing(row.notifier, true);
    } else if (result == DeliveryResult::Delivered) {
      metrics_.setNotifierRefusing(row.notifier, false);
    }
    if (!row.resend) {  // a firing alert posted again: its trigger is in the history already
      history_.add(notificationRecordOf(row, result, answer, nowMs_()));
    }
  }
  void outboxPending(std::size_t notifications) override {
    metrics_.setOutboxPending(static_cast<double>(notifications));
  }
  void stateWritesRefused(std::uint64_t count) override {
    metrics_.countStateWriteErrors(static_cast<double>(count));
  }
  void pageHeld(const std::string& key, const AlertEvent& event, const PageHold& hold) override {
    history_.add(holdRecordOf(key, event, "held", hold.reason));
  }
  void holdEnded(const std::string& key, const AlertEvent& event,
                 const std::string& outcome) override {
    history_.add(holdRecordOf(key, event, "released", outcome));
  }

 private:
  HistoryWriter& history_;
  ProcessMetrics& metrics_;
  std::function<std::int64_t()> nowMs_;
};

}  // namespace prober
