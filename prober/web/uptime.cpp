#include "prober/web/uptime.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace prober {

namespace {

void addTo(RunCount& total, const RunCount& count) {
  total.runs += count.runs;
  total.passed += count.passed;
}

// Alerts fired in the window paired with their resolves, newest first.
std::vector<PastAlert> pastAlerts(const std::vector<HistoryEvent>& events) {
  std::vector<PastAlert> alerts;
  std::map<std::string, std::size_t> firing;  // key -> index in alerts
  for (const HistoryEvent& e : events) {
    if (e.type != HistoryEvent::Type::Alert) {
      continue;
    }
    const auto [check, kind] = parseAlertKey(e.check);
    if (kind != AlertKind::Check && kind != AlertKind::Degraded) {
      continue;
    }
    if (e.action == "fired") {
      firing[e.check] = alerts.size();
      alerts.push_back(PastAlert{check, kind, e.atMs, 0});
    } else if (e.action == "resolved") {
      if (const auto it = firing.find(e.check); it != firing.end()) {
        alerts[it->second].resolvedMs = e.atMs;
        firing.erase(it);
      }
    }
  }
  std::reverse(alerts.begin(), alerts.end());
  if (alerts.size() > UptimeSnapshot::kMaxAlerts) {
    alerts.resize(UptimeSnapshot::kMaxAlerts);
  }
  return alerts;
}

}  // namespace

std::optional<double> uptimePercent(const RunCount& count) {
  if (count.runs == 0) {
    return std::nullopt;
  }
  return std::floor(10'000.0 * count.passed / count.runs) / 100;
}

std::string uptimeText(const RunCount& count) {
  const auto percent = uptimePercent(count);
  return percent ? fmt::format("{:.2f} %", *percent) : "no runs";
}

std::string spanName(Millis span) {
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(span).count();
  return hours % 24 == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}h", hours);
}

std::string spanLabel(Millis span) {
  std::string name = spanName(span);
  name.insert(name.size() - 1, " ");
  return name;
}

std::string statusGroupOf(const CheckSpec& spec, const std::string& groupBy) {
  if (groupBy.empty()) {
    return "Services";
  }
  const auto label = spec.labels.find(groupBy);
  return label == spec.labels.end() ? "Other" : label->second;
}

UptimeSnapshot computeUptime(HistoryReader& reader, std::int64_t nowMs, std::string& error,
                             const StatusGroups& groups) {
  // Each check's group's days (a check the config no longer has is in none).
  std::unordered_map<std::string_view, std::vector<RunCount>*> daysOf;
  UptimeSnapshot snapshot;
  if (groups.specs) {
    for (const auto& spec : *groups.specs) {
      daysOf[spec->name] = &snapshot.groupDays[statusGroupOf(*spec, groups.groupBy)];
    }
  }
  snapshot.computedAtMs = nowMs;
  const std::int64_t thisHour = nowMs - nowMs % kHourMs;
  const std::int64_t since24h = thisHour - 23 * kHourMs;
  const std::int64_t since7d = thisHour - 167 * kHourMs;
  const std::int64_t since30d = thisHour - 719 * kHourMs;
  const std::int64_t firstDay = nowMs - nowMs % kDayMs - 29 * kDayMs;
  CheckUptime* current = nullptr;
  std::vector<RunCount>* currentDays = nullptr;
  std::string currentName;
  reader.forEachHourlyCount(
      std::min(since30d, firstDay),
      [&](const std::string& check, const RunCount& hour) {
        if (current == nullptr || check != currentName) {
          currentName = check;
          current = &snapshot.checks[check];
          const auto group = daysOf.find(check);
          currentDays = group == daysOf.end() ? nullptr : group->second;
        }
        if (hour.startMs >= since30d) {
          addTo(current->last30d, hour);
        }
        if (hour.startMs >= since7d) {
          addTo(current->last7d, hour);
        }
        if (hour.startMs >= since24h) {
          addTo(current->last24h, hour);
        }
        if (hour.startMs >= firstDay && currentDays != nullptr) {
          const std::int64_t day = hour.startMs - hour.startMs % kDayMs;
          // Days come in order per check, not across checks: find the day (30 at most).
          auto at = std::lower_bound(
              currentDays->begin(), currentDays->end(), day,
              [](const RunCount& count, std::int64_t start) { return count.startMs < start; });
          if (at == currentDays->end() || at->startMs != day) {
            at = currentDays->insert(at, RunCount{day, 0, 0});
          }
          addTo(*at, hour);
        }
      },
      error);
  snapshot.alerts = pastAlerts(reader.events({}, since30d, nowMs + 1, error));
  snapshot.countsFromMs = reader.countsFromMs(error);
  return snapshot;
}

void UptimeCache::setRetention(Millis retention) {
  retention_ = retention;
  if (snapshot_->computedAtMs == 0) {
    // Nothing computed yet: the pages still say what their figures will cover.
    auto empty = std::make_shared<UptimeSnapshot>();
    empty->retention = retention;
    snapshot_ = std::move(empty);
  }
}

std::chrono::milliseconds UptimeCache::refreshInterval() const {
  return std::clamp<std::chrono::milliseconds>(lastTook_ * 20, std::chrono::seconds(10),
                                               std::chrono::minutes(5));
}

void UptimeCache::keepFresh(std::function<StatusGroups()> groups) {
  groups_ = std::move(groups);
  refresh(wallMs(clock_), groups_());
  timer_->armAt(clock_.now() + refreshInterval(), [this] { keepFresh(std::move(groups_)); });
}

void UptimeCache::refresh(std::int64_t nowMs, StatusGroups groups, std::function<void()> done) {
  if (busy_) {
    return;
  }
  busy_ = true;
  const bool queued =
      writer_.runReadAfterWrites([this, nowMs, groups = std::move(groups), done = std::move(done),
                                  retention = retention_]() mutable {
        std::string error;
        const auto started = std::chrono::steady_clock::now();
        UptimeSnapshot computed = computeUptime(reader_, nowMs, error, groups);
        computed.retention = retention;
        auto snapshot = std::make_shared<const UptimeSnapshot>(std::move(computed));
        groups =
            {};  // the list is the CheckSet's alone again (one a reload replaced is freed here)
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        if (!error.empty()) {
          spdlog::error("uptime: {}", error);
        }
        post_([this, snapshot = std::move(snapshot), took, done = std::move(done)]() mutable {
          std::swap(snapshot_, snapshot);
          // A million checks' snapshot takes a moment to free: not on the loop.
          writer_.runAfterWrites([old = std::move(snapshot)] {});
          lastTook_ = took;
          busy_ = false;
          if (done) {
            done();
          }
        });
      });
  if (!queued) {
    busy_ = false;  // the reads' queue is full: the next refresh tries again
  }
}

}  // namespace prober
