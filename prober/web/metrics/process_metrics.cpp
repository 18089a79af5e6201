#include "prober/web/metrics/process_metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>
#include <vector>

namespace prober {

namespace {

// Fine below 10 ms, where the 10,000-check target (p99 <= 5 ms) is judged; the loop holds of
// answers share them (a page's slice should take a few ms).
const std::vector<double> kLagBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003,
                                         0.005,  0.0075,  0.01,   0.02,  0.05,  0.1,
                                         0.25,   0.5,     1,      2.5};

}  // namespace

ProcessMetrics::ProcessMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      lag_(prometheus::BuildHistogram()
               .Name("prober_schedule_lag_seconds")
               .Help("How late runs started after they were due.")
               .Register(*registry_)
               .Add({}, kLagBuckets)),
      // The histogram's buckets bound a quantile; the worst lag itself is worth its own series.
      lagMax_(prometheus::BuildGauge()
                  .Name("prober_schedule_lag_max_seconds")
                  .Help("The latest any run has started after it was due, since the start.")
                  .Register(*registry_)
                  .Add({})),
      hold_(prometheus::BuildHistogram()
                .Name("prober_http_loop_hold_seconds")
                .Help("How long each step of answering a request held the event loop: a "
                      "handler's call, or one piece of a streamed answer.")
                .Register(*registry_)
                .Add({}, kLagBuckets)),
      holdMax_(prometheus::BuildGauge()
                   .Name("prober_http_loop_hold_max_seconds")
                   .Help("The longest one step of answering a request has held the event loop, "
                         "since the start.")
                   .Register(*registry_)
                   .Add({})),
      inFlight_(prometheus::BuildGauge()
                    .Name("prober_in_flight")
                    .Help("Probes running now.")
                    .Register(*registry_)
                    .Add({})),
      checks_(prometheus::BuildGauge()
                  .Name("prober_checks")
                  .Help("Checks in the running config.")
                  .Register(*registry_)
                  .Add({})),
      lastReloadOk_(prometheus::BuildGauge()
                        .Name("prober_config_last_reload_successful")
                        .Help("1 if the last config load succeeded.")
                        .Register(*registry_)
                        .Add({})),
      lastReloadTime_(prometheus::BuildGauge()
                          .Name("prober_config_last_reload_success_timestamp_seconds")
                          .Help("When the config was last loaded successfully.")
                          .Register(*registry_)
                          .Add({})),
      reloadsOk_(prometheus::BuildCounter()
                     .Name("prober_config_reloads_total")
                     .Help("Config reloads by result.")
                     .Register(*registry_)
                     .Add({{"result", "success"}})),
      reloadsFailed_(prometheus::BuildCounter()
                         .Name("prober_config_reloads_total")
                         .Help("Config reloads by result.")
                         .Register(*registry_)
                         .Add({{"result", "failure"}})),
      notifications_(prometheus::BuildCounter()
                         .Name("prober_notifications_total")
                         .Help("Notification delivery attempts by notifier and result "
                               "(delivered, retry, rejected, dropped, refused).")
                         .Register(*registry_)),
      notifierRefusing_(prometheus::BuildGauge()
                            .Name("prober_notifier_refusing")
                            .Help("1 while a notifier refuses pages (a 3xx or 4xx answer, or a "
                                  "page given up), until it next accepts one.")
                            .Register(*registry_)),
      outboxPending_(prometheus::BuildGauge()
                         .Name("prober_outbox_pending")
                         .Help("Notifications waiting to be delivered.")
                         .Register(*registry_)
                         .Add({})),
      stateWriteErrors_(prometheus::BuildCounter()
                            .Name("prober_state_write_errors_total")
                            .Help("Alert state and outbox writes the store refused (each is "
                                  "kept in memory and retried until stored).")
                            .Register(*registry_)
                            .Add({})),
      historyDropped_(prometheus::BuildCounter()
                          .Name("prober_history_records_dropped_total")
                          .Help("Runs and events the history could not keep (its queue was full "
                                "or the disk refused them).")
                          .Register(*registry_)
                          .Add({})),
      historySize_(prometheus::BuildGauge()
                       .Name("prober_history_size_bytes")
                       .Help("Bytes the history takes on disk (history.db and its write-ahead "
                             "log).")
                       .Register(*registry_)
                       .Add({})),
      shardInfo_(prometheus::BuildGauge()
                     .Name("prober_shard_info")
                     .Help("The shard of the checks this instance runs (1 of 1 unsharded).")
                     .Register(*registry_)),
      runsSkipped_(prometheus::BuildCounter()
                       .Name("prober_runs_skipped_total")
                       .Help("Runs of all checks not started because the check's previous run "
                             "was still going (per check: prober_check_runs_skipped_total).")
                       .Register(*registry_)
                       .Add({})) {
  recordReload(true);
  setShard(std::nullopt);
}

void ProcessMetrics::setShard(const std::optional<Shard>& shard) {
  const Shard mine = shard.value_or(Shard{});
  if (shardInfoChild_ != nullptr) {
    shardInfo_.Remove(shardInfoChild_);
  }
  shardInfoChild_ = &shardInfo_.Add(
      {{"shard", std::to_string(mine.index)}, {"shards", std::to_string(mine.count)}});
  shardInfoChild_->Set(1);
}

void ProcessMetrics::declareNotifier(const std::string& notifier) {
  for (const char* result : {"delivered", "retry", "rejected", "dropped", "refused"}) {
    notifications_.Add({{"notifier", notifier}, {"result", result}});
  }
  notifierRefusing_.Add({{"notifier", notifier}});
}

void ProcessMetrics::setNotifierRefusing(const std::string& notifier, bool refusing) {
  notifierRefusing_.Add({{"notifier", notifier}}).Set(refusing ? 1 : 0);
}

void ProcessMetrics::countNotification(const std::string& notifier, std::string_view result) {
  notifications_.Add({{"notifier", notifier}, {"result", std::string(result)}}).Increment();
}

void ProcessMetrics::setRunsSkipped(std::uint64_t total) {
  if (total > runsSkippedSeen_) {
    runsSkipped_.Increment(static_cast<double>(total - runsSkippedSeen_));
    runsSkippedSeen_ = total;
  }
}

void ProcessMetrics::setHistoryDropped(std::int64_t total) {
  if (total > historyDroppedSeen_) {
    historyDropped_.Increment(static_cast<double>(total - historyDroppedSeen_));
    historyDroppedSeen_ = total;
  }
}

void ProcessMetrics::recordReload(bool ok) {
  lastReloadOk_.Set(ok ? 1 : 0);
  if (ok) {
    reloadsOk_.Increment();
    lastReloadTime_.Set(
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  } else {
    reloadsFailed_.Increment();
  }
}

std::string renderProcessMetrics(ProcessMetrics& process) {
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, process.registry().Collect());
  return text.str();
}

}  // namespace prober
