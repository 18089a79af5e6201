#pragma once
// /metrics: per-check series rendered straight from each check's compact state at scrape time
// (a registry child per check costs ~10 KB and a slow scrape at 10,000 checks), and the
// process's own low-cardinality metrics through prometheus-cpp.
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "prober/runtime/check_state.h"
#include "prober/web/http_server.h"

namespace prober {

class ProcessMetrics {
 public:
  ProcessMetrics();
  void observeScheduleLag(double seconds) { lag_.Observe(seconds); }
  void setInFlight(double value) { inFlight_.Set(value); }
  void setChecks(double value) { checks_.Set(value); }
  void recordReload(bool ok);
  // prober_notifications_total{notifier, result}: every result series is created up front for
  // each configured notifier, so rate() and alert rules see zeros instead of absent series.
  void declareNotifier(const std::string& notifier);
  void countNotification(const std::string& notifier, std::string_view result);
  void setOutboxPending(double value) { outboxPending_.Set(value); }
  void countStateWriteErrors(double count) { stateWriteErrors_.Increment(count); }
  // prober_history_records_dropped_total follows the history's own running count.
  void setHistoryDropped(std::int64_t total);
  void setHistorySize(double bytes) { historySize_.Set(bytes); }
  // prober_shard_info{shard="k",shards="n"} 1 (1/1 when unsharded).
  void setShard(const std::optional<Shard>& shard);
  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram& lag_;
  prometheus::Gauge& inFlight_;
  prometheus::Gauge& checks_;
  prometheus::Gauge& lastReloadOk_;
  prometheus::Gauge& lastReloadTime_;
  prometheus::Counter& reloadsOk_;
  prometheus::Counter& reloadsFailed_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Gauge& outboxPending_;
  prometheus::Counter& stateWriteErrors_;
  prometheus::Counter& historyDropped_;
  prometheus::Gauge& historySize_;
  prometheus::Family<prometheus::Gauge>& shardInfo_;
  prometheus::Gauge* shardInfoChild_ = nullptr;
  std::int64_t historyDroppedSeen_ = 0;
};

// A sample value as prometheus-cpp's text format writes it (16 significant digits, %g style).
std::string formatMetricValue(double value);
// Escapes a label value for the text format: backslash, double quote, newline.
std::string escapeLabelValue(std::string_view value);

// Writes every per-check family (probe_*, prober_check_*, prober_alert_firing) a slice at a
// time, so a scrape of 100,000 checks can yield to the event loop between slices instead of
// stalling every probe for a second and more.
class CheckMetricsWriter {
 public:
  explicit CheckMetricsWriter(std::vector<std::shared_ptr<const CheckState>> checks);
  // Writes up to `budget` (family, check) pairs; true once everything is written.
  bool write(std::string& out, std::size_t budget);

 private:
  std::vector<std::shared_ptr<const CheckState>> checks_;
  std::size_t family_ = 0;
  std::size_t check_ = 0;
  bool headerWritten_ = false;
};

// Appends every per-check family in one go.
void renderCheckMetrics(std::string& out, const std::vector<const CheckState*>& checks);

// One check's own scrape (/probe?target=NAME): its probe_* and prober_check_* series without
// the `check` label, which Prometheus' target labels replace.
void renderOneCheck(std::string& out, const CheckState& state);

// The process's own metrics (prometheus-cpp's registry) in text format.
std::string renderProcessMetrics(ProcessMetrics& process);

// Whether a scraper's Accept header asks for OpenMetrics.
bool wantsOpenMetrics(std::string_view accept);
// The 200 answer to a scrape: `text` (format 0.0.4) as it is, or rewritten as OpenMetrics.
ServerResponse scrapeResponse(std::string text, bool openMetrics);

// Rewrites a text-format 0.0.4 exposition as OpenMetrics 1.0: counter families are named
// without their _total suffix in HELP and TYPE lines, and the body ends with "# EOF".
std::string toOpenMetrics(std::string_view text);

}  // namespace prober
