#pragma once
// The process's own low-cardinality metrics (schedule lag, in flight, reloads, notifications,
// the outbox, the history, the shard) in a prometheus-cpp registry, families created once.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "checks/shard.h"

namespace prober {

class ProcessMetrics {
 public:
  ProcessMetrics();
  void observeScheduleLag(double seconds) {
    lag_.Observe(seconds);
    if (seconds > lagMaxSeen_) {
      lagMaxSeen_ = seconds;
      lagMax_.Set(seconds);
    }
  }
  // One step of answering a request held the event loop this long (HttpServer's observer).
  void observeLoopHold(double seconds) {
    hold_.Observe(seconds);
    if (seconds > holdMaxSeen_) {
      holdMaxSeen_ = seconds;
      holdMax_.Set(seconds);
    }
  }
  void setInFlight(double value) { inFlight_.Set(value); }
  void setChecks(double value) { checks_.Set(value); }
  void recordReload(bool ok);
  // prober_notifications_total{notifier, result}: every result series is created up front for
  // each configured notifier, so rate() and alert rules see zeros instead of absent series.
  void declareNotifier(const std::string& notifier);
  void countNotification(const std::string& notifier, std::string_view result);
  // prober_notifier_refusing{notifier}: 1 from a refusal (a 3xx or 4xx answer, or a page given
  // up) until the notifier next accepts one: pages may be going nowhere, an alert of its own.
  void setNotifierRefusing(const std::string& notifier, bool refusing);
  void setOutboxPending(double value) { outboxPending_.Set(value); }
  void countStateWriteErrors(double count) { stateWriteErrors_.Increment(count); }
  // prober_history_records_dropped_total follows the history's own running count.
  // prober_runs_skipped_total: follows the probe loop's running count.
  void setRunsSkipped(std::uint64_t total);
  void setHistoryDropped(std::int64_t total);
  void setHistorySize(double bytes) { historySize_.Set(bytes); }
  // prober_shard_info{shard="k",shards="n"} 1 (1/1 when unsharded).
  void setShard(const std::optional<Shard>& shard);
  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram& lag_;
  prometheus::Gauge& lagMax_;
  double lagMaxSeen_ = 0;
  prometheus::Histogram& hold_;
  prometheus::Gauge& holdMax_;
  double holdMaxSeen_ = 0;
  prometheus::Gauge& inFlight_;
  prometheus::Gauge& checks_;
  prometheus::Gauge& lastReloadOk_;
  prometheus::Gauge& lastReloadTime_;
  prometheus::Counter& reloadsOk_;
  prometheus::Counter& reloadsFailed_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Gauge>& notifierRefusing_;
  prometheus::Gauge& outboxPending_;
  prometheus::Counter& stateWriteErrors_;
  prometheus::Counter& historyDropped_;
  prometheus::Gauge& historySize_;
  prometheus::Family<prometheus::Gauge>& shardInfo_;
  prometheus::Gauge* shardInfoChild_ = nullptr;
  std::int64_t historyDroppedSeen_ = 0;
  prometheus::Counter& runsSkipped_;
  std::uint64_t runsSkippedSeen_ = 0;
};

// The process's own metrics (prometheus-cpp's registry) in text format.
std::string renderProcessMetrics(ProcessMetrics& process);

}  // namespace prober
