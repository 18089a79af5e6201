#pragma once
// Uptime per check over 24 h, 7 d and 30 d, per day for 30 days, and the outages that paged in
// the last 30 days: worked out on the history thread from the hourly counts and handed to the
// loop as one snapshot, so a page view reads numbers and never scans a month of runs.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alerting/alert_event.h"
#include "checks/check_spec.h"
#include "checks/clock.h"
#include "history/history.h"

namespace prober {

struct CheckUptime {
  RunCount last24h;  // this UTC hour and the 23 before it
  RunCount last7d;   // this hour and the 167 before it
  RunCount last30d;  // this hour and the 719 before it
};

// Which group of the status pages a check is in: its `status_group_by` label ("Other" without
// it), or "Services" when the pages are not grouped.
std::string statusGroupOf(const CheckSpec& spec, const std::string& groupBy);

// The checks as the status pages group them, handed to the history thread with each refresh
// (the specs are immutable, so it may read them there). The list is the CheckSet's own, shared:
// copying a million specs' pointers for each refresh held the loop for ~100 ms.
struct StatusGroups {
  std::string groupBy;
  std::shared_ptr<const std::vector<std::shared_ptr<const CheckSpec>>> specs;
};

// The windows uptime is told over, by the names the API and the badges use.
struct UptimeWindow {
  std::string_view name;  // "24h", "7d", "30d"
  RunCount CheckUptime::*count;
  Millis span;
};
inline constexpr std::array<UptimeWindow, 3> kUptimeWindows = {
    {{"24h", &CheckUptime::last24h, std::chrono::hours(24)},
     {"7d", &CheckUptime::last7d, std::chrono::hours(7 * 24)},
     {"30d", &CheckUptime::last30d, std::chrono::hours(30 * 24)}}};
inline constexpr const UptimeWindow& kMonthWindow = kUptimeWindows[2];

// A span as the windows are named: "30d", "14d", or "36h" when not whole days.
std::string spanName(Millis span);
// The same for people: "30 d", "14 d", "36 h".
std::string spanLabel(Millis span);

// An alert that fired in the last 30 days, with its resolve when one came.
struct PastAlert {
  std::string check;
  AlertKind kind = AlertKind::Check;  // Check or Degraded
  std::int64_t firedMs = 0;
  std::int64_t resolvedMs = 0;  // 0 while it fires
};

struct UptimeSnapshot {
  std::int64_t computedAtMs = 0;  // 0: not computed yet
  // [prober] history_retention when computed (0: unknown). Runs older than it are gone, so a
  // window longer than it covers only the retention, and the figure must say so.
  Millis retention{0};
  std::unordered_map<std::string, CheckUptime> checks;
  // Per status group, per UTC day of the last 30, oldest first, only days with runs: summed
  // here, not kept per check (at a million checks that would be half a gigabyte).
  std::map<std::string, std::vector<RunCount>> groupDays;
  std::vector<PastAlert> alerts;  // newest first, at most kMaxAlerts
  static constexpr std::size_t kMaxAlerts = 500;

  // From when the hourly counts start, when history_max_size trimmed them (0: never).
  std::int64_t countsFromMs = 0;

  // How much of `window` the figures cover: the window, or the retention when it is shorter, or
  // the whole days since the counts start when history_max_size trimmed them.
  Millis covered(const UptimeWindow& window) const {
    Millis span = retention.count() > 0 ? std::min(window.span, retention) : window.span;
    if (countsFromMs > 0) {
      // A marker ahead of the clock (it stepped back since the trim) claims the least.
      const std::int64_t days =
          std::max<std::int64_t>(0, computedAtMs - countsFromMs) / (24 * 3'600'000);
      span = std::min(span, Millis(std::max<std::int64_t>(days, 1) * 24 * 3'600'000));
    }
    return span;
  }
  std::string coveredName(const UptimeWindow& window) const { return spanName(covered(window)); }
  std::string coveredLabel(const UptimeWindow& window) const { return spanLabel(covered(window)); }

  const CheckUptime* find(const std::string& check) const {
    const auto it = checks.find(check);
    return it == checks.end() ? nullptr : &it->second;
  }
  const std::vector<RunCount>* findDays(const std::string& group) const {
    const auto it = groupDays.find(group);
    return it == groupDays.end() ? nullptr : &it->second;
  }
};

// Percent of runs passed, cut (not rounded) to two decimals, so one failure in 100,000 runs
// shows 99.99, never 100. nullopt when nothing ran.
std::optional<double> uptimePercent(const RunCount& count);
// "99.93 %", or "no runs" when nothing ran.
std::string uptimeText(const RunCount& count);

// Reads the snapshot from the history; runs on the history thread.
UptimeSnapshot computeUptime(HistoryReader& reader, std::int64_t nowMs, std::string& error,
                             const StatusGroups& groups = {});

class UptimeCache {
 public:
  // `clock` outlives the cache; the timer from `timers` paces keepFresh().
  UptimeCache(HistoryWriter& writer, HistoryReader& reader, PostToLoop post, const Clock& clock,
              const TimerFactory& timers)
      : writer_(writer), reader_(reader), post_(std::move(post)), clock_(clock), timer_(timers()) {}

  // Refreshes now and again and again, refreshInterval() apart, with the groups `groups` names
  // each time, until stop().
  void keepFresh(std::function<StatusGroups()> groups);
  void stop() { timer_->cancel(); }

  // Works out a new snapshot off the loop unless one is under way; it replaces the current one
  // on the loop (the old one is freed off it), then `done` runs.
  void refresh(std::int64_t nowMs, StatusGroups groups, std::function<void()> done = {});
  // What the history keeps ([prober] history_retention); snapshots from the next refresh on
  // carry it.
  void setRetention(Millis retention);
  std::shared_ptr<const UptimeSnapshot> snapshot() const { return snapshot_; }
  // How long until the next refresh should start: twenty times what the last one took, from
  // 10 s (a small history: fresh numbers) to 5 min (a big one: the history thread has other
  // work).
  std::chrono::milliseconds refreshInterval() const;

 private:
  HistoryWriter& writer_;
  HistoryReader& reader_;
  PostToLoop post_;
  const Clock& clock_;
  std::unique_ptr<Timer> timer_;
  std::function<StatusGroups()> groups_;
  bool busy_ = false;
  std::chrono::milliseconds lastTook_{0};
  Millis retention_{0};
  std::shared_ptr<const UptimeSnapshot> snapshot_ = std::make_shared<UptimeSnapshot>();
};

}  // namespace prober
