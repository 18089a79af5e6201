#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "alerting/alert_event.h"
#include "history/report_parts.h"

namespace prober::report {

namespace {

constexpr std::size_t kAnswerShown = 120;

// "down until 10:25:00 (15m): 30 runs, first `status == 200 (got 503)`", at the outage's start.
std::string outageLine(const std::string& name, const Outage& outage) {
  return fmt::format("**{}** down{} {}: {}, first {}", name,
                     outage.beganBefore ? " (since before the window)" : "",
                     outage.ongoing() ? std::string("and still down at the end of the window")
                                      : fmt::format("until {} UTC ({})", utc(outage.endMs),
                                                    span(outage.endMs - outage.startMs)),
                     outage.runsText(), code(outage.firstFailure));
}

}  // namespace

std::vector<Entry> timelineOf(const ReportData& data) {
  std::vector<Entry> entries;
  for (const std::string& name : data.checks) {
    const auto runs = data.runs.find(name);
    if (runs == data.runs.end()) {
      continue;
    }
    for (const Outage& outage : runs->second.outages) {
      entries.push_back(
          {outage.startMs, outageLine(name, outage), Entry::Kind::Outage, name, outage.failedRuns});
    }
  }
  for (const HistoryEvent& e : data.events) {
    switch (e.type) {
      case HistoryEvent::Type::Alert:
        entries.push_back({e.atMs,
                           fmt::format("**{}** {} {}{}", checkOfKey(e.check), alertNoun(e.check),
                                       e.action == "held"       ? "page held"
                                       : e.action == "released" ? "hold ended"
                                                                : e.action,
                                       e.detail.empty() ? "" : ": " + e.detail),
                           Entry::Kind::Alert});
        break;
      case HistoryEvent::Type::Notification: {
        const std::string subject =
            checkOfKey(e.check).empty()
                ? "page from Slack"
                : fmt::format("**{}** {}{}", checkOfKey(e.check),
                              parseAlertKey(e.check).second == AlertKind::Check
                                  ? ""
                                  : std::string(alertNoun(e.check)) + " ",
                              e.action);
        entries.push_back({e.atMs,
                           fmt::format("{} to {}: {} ({})", subject, e.notifier, e.outcome,
                                       cut(e.detail, kAnswerShown)),
                           Entry::Kind::Notification});
        break;
      }
      case HistoryEvent::Type::SlashCommand:
        entries.push_back(
            {e.atMs,
             e.action == "allowed" && e.notifier.empty()  // mute or unmute
                 ? fmt::format("Slack: {} {} (\"{}\")", who(e), e.outcome, e.detail)
                 : e.action == "allowed" ? fmt::format("Slack: {} paged on-call through {}: \"{}\"",
                                                       who(e), e.notifier, e.detail)
                   : e.action == "usage"
                       ? fmt::format("Slack: {} asked for the usage (no text)", who(e))
                       : fmt::format("Slack: refused {}{}: {}", who(e),
                                     e.detail.empty() ? "" : " (\"" + e.detail + "\")", e.outcome),
             Entry::Kind::Slack});
        break;
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.atMs < b.atMs; });
  return entries;
}

std::vector<Entry> capTimeline(std::vector<Entry> entries) {
  if (entries.size() <= kTimelineLimit) {
    return entries;
  }
  std::vector<Entry> kept, outages;
  for (Entry& entry : entries) {
    (entry.kind == Entry::Kind::Outage ? outages : kept).push_back(std::move(entry));
  }
  const std::size_t budget = kTimelineLimit - 1;
  std::vector<Entry> leftOut;
  if (kept.size() > budget) {
    const auto middle = kept.begin() + static_cast<std::ptrdiff_t>(budget / 2);
    const auto tail = kept.end() - static_cast<std::ptrdiff_t>(budget - budget / 2);
    leftOut.assign(std::make_move_iterator(middle), std::make_move_iterator(tail));
    kept.erase(middle, tail);
    leftOut.insert(leftOut.end(), std::make_move_iterator(outages.begin()),
                   std::make_move_iterator(outages.end()));
  } else {
    std::stable_sort(outages.begin(), outages.end(),
                     [](const Entry& a, const Entry& b) { return a.failedRuns > b.failedRuns; });
    const std::size_t room = std::min(outages.size(), budget - kept.size());
    kept.insert(kept.end(), std::make_move_iterator(outages.begin()),
                std::make_move_iterator(outages.begin() + static_cast<std::ptrdiff_t>(room)));
    leftOut.assign(std::make_move_iterator(outages.begin() + static_cast<std::ptrdiff_t>(room)),
                   std::make_move_iterator(outages.end()));
  }
  std::map<std::string, std::size_t> outagesByCheck;
  std::uint64_t mostRuns = 0;
  std::size_t others = 0;
  std::int64_t firstMs = leftOut.front().atMs, lastMs = leftOut.front().atMs;
  for (const Entry& entry : leftOut) {
    firstMs = std::min(firstMs, entry.atMs);
    lastMs = std::max(lastMs, entry.atMs);
    if (entry.kind == Entry::Kind::Outage) {
      ++outagesByCheck[entry.check];
      mostRuns = std::max(mostRuns, entry.failedRuns);
    } else {
      ++others;
    }
  }
  // The checks with the most left-out outages, at most five by name.
  std::vector<std::pair<std::string, std::size_t>> byCount(outagesByCheck.begin(),
                                                           outagesByCheck.end());
  std::stable_sort(byCount.begin(), byCount.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string what;
  std::size_t unnamed = leftOut.size() - others;
  for (std::size_t i = 0; i < byCount.size() && i < 5; ++i) {
    what +=
        fmt::format("{}{} of {}", what.empty() ? "" : ", ", byCount[i].second, byCount[i].first);
    unnamed -= byCount[i].second;
  }
  if (byCount.size() > 5) {
    what += fmt::format(" and {} of {} other checks", unnamed, byCount.size() - 5);
  }
  std::string text = fmt::format("*{} entries from {} to {} UTC are left out:", leftOut.size(),
                                 utc(firstMs), utc(lastMs));
  if (!outagesByCheck.empty()) {
    text += fmt::format(" outages ({}) of at most {} failed run{} each", what, mostRuns,
                        mostRuns == 1 ? "" : "s");
  }
  if (others > 0) {
    text += fmt::format("{} {} alert changes, deliveries and Slack requests",
                        outagesByCheck.empty() ? "" : ";", others);
  }
  text += ". Run the report with a narrower --since/--until or with --check to see them.*";
  kept.push_back(Entry{firstMs, std::move(text), Entry::Kind::LeftOut});
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Entry& a, const Entry& b) { return a.atMs < b.atMs; });
  return kept;
}

}  // namespace prober::report
