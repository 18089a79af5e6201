#include "history/report.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>

#include "alerting/alert_event.h"

namespace prober {

namespace {

constexpr std::size_t kAnswerShown = 120;

std::string utc(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", parts.tm_year + 1900, parts.tm_mon + 1,
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

// "5m 28s", "2h 3m", "40s", "1.6s": how long, for people.
std::string span(std::int64_t ms) {
  if (ms < 10'000) {
    return fmt::format("{:.1f}s", static_cast<double>(std::max<std::int64_t>(0, ms)) / 1000);
  }
  std::int64_t seconds = std::max<std::int64_t>(0, (ms + 500) / 1000);
  const std::int64_t days = seconds / 86400, hours = seconds / 3600 % 24,
                     minutes = seconds / 60 % 60;
  seconds %= 60;
  const auto pair = [](std::int64_t big, const char* bigUnit, std::int64_t small,
                       const char* smallUnit) {
    return small == 0 ? fmt::format("{}{}", big, bigUnit)
                      : fmt::format("{}{} {}{}", big, bigUnit, small, smallUnit);
  };
  if (days > 0)
    return pair(days, "d", hours, "h");
  if (hours > 0)
    return pair(hours, "h", minutes, "m");
  if (minutes > 0)
    return pair(minutes, "m", seconds, "s");
  return fmt::format("{}s", seconds);
}

// Text inside a table cell: no line breaks, no column separators.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string code(const std::string& text) {
  return text.find('`') == std::string::npos ? "`" + text + "`" : "`` " + text + " ``";
}

std::string cut(std::string text, std::size_t limit) {
  if (text.size() > limit) {
    text.resize(limit);
    text += "...";
  }
  return text;
}

// The check an alert key belongs to: "api" and "api#cert" are api's; a Slack page's is nobody's.
std::string checkOfKey(const std::string& key) {
  auto [name, kind] = parseAlertKey(key);
  return kind == AlertKind::SlashCommand ? std::string() : name;
}

// What an alert key names, for people: "alert", "certificate warning" or "degraded warning".
std::string_view alertNoun(const std::string& key) {
  switch (parseAlertKey(key).second) {
    case AlertKind::Certificate: return "certificate warning";
    case AlertKind::Degraded: return "degraded warning";
    default: return "alert";
  }
}

// A page held by a maintenance window, a silence or a firing dependency, and its end.
bool isHoldEvent(const HistoryEvent& e) {
  return e.action == "held" || e.action == "released";
}

// The outage an alert that fired or resolved at `atMs` belongs to: the last one begun by then.
// Flapping runs are one outage, so this is the first failure of what fired it.
const Outage* outageBefore(const std::vector<Outage>& outages, std::int64_t atMs) {
  const Outage* found = nullptr;
  for (const Outage& outage : outages) {
    if (outage.startMs <= atMs) {
      found = &outage;
    }
  }
  return found;
}

// "; time to resolve 5m (from the first failure)", or how much at least when the failure
// began before the window.
std::string timeTo(const char* what, const Outage* outage, std::int64_t atMs) {
  if (outage == nullptr) {
    return "";
  }
  if (outage->beganBefore) {
    return fmt::format("; time to {} more than {} (the failure began before the window)", what,
                       span(atMs - outage->startMs));
  }
  return fmt::format("; time to {} {} (from the first failure, {} UTC)", what,
                     span(atMs - outage->startMs), utc(outage->startMs));
}

std::string who(const HistoryEvent& e) {
  if (e.userId.empty()) {
    return "a request that could not be verified";  // refused before its fields were read
  }
  return fmt::format("{} ({}) in #{} ({})", e.userName.empty() ? "?" : e.userName, e.userId,
                     e.channelName.empty() ? "?" : e.channelName, e.channelId);
}

struct Entry {
  enum class Kind { Outage, Alert, Notification, Slack, LeftOut };
  std::int64_t atMs;
  std::string text;
  Kind kind;
  std::string check = "";        // an outage's
  std::uint64_t failedRuns = 0;  // an outage's
};

void describeCheck(std::string& out, const std::string& name, const CheckRuns& runs,
                   const std::vector<HistoryEvent>& events) {
  const std::vector<Outage>& outages = runs.outages;
  out += fmt::format("### {}\n\n", name);
  if (outages.empty()) {
    out += fmt::format("- **What failed:** no run failed in the window ({} runs).\n", runs.total);
  } else {
    out += fmt::format(
        "- **What failed:** {} of {} runs failed, in {} outage{}; the first {} {} UTC: {} "
        "(reason `{}`).\n",
        runs.failed, runs.total, outages.size(), outages.size() == 1 ? "" : "s",
        outages.front().beganBefore ? "(already failing) at" : "at", utc(outages.front().startMs),
        code(outages.front().firstFailure), outages.front().reason);
  }
  std::optional<std::int64_t> firedAt;
  bool anyAlert = false;
  for (const HistoryEvent& e : events) {
    if (e.type != HistoryEvent::Type::Alert || checkOfKey(e.check) != name) {
      continue;
    }
    std::string noun(alertNoun(e.check));
    noun[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(noun[0])));
    if (isHoldEvent(e)) {
      out += fmt::format("- **{} {}** at {} UTC: {}.\n", noun,
                         e.action == "held" ? "page held" : "hold ended", utc(e.atMs), e.detail);
      continue;
    }
    anyAlert = true;
    if (parseAlertKey(e.check).second != AlertKind::Check) {
      out += fmt::format("- **{} {}** at {} UTC{}.\n", noun, e.action, utc(e.atMs),
                         e.detail.empty() ? "" : ": " + e.detail);
      continue;
    }
    const Outage* outage = outageBefore(outages, e.atMs);
    if (e.action == "fired") {
      firedAt = e.atMs;
      out += fmt::format("- **Alert fired** at {} UTC{}.\n", utc(e.atMs),
                         timeTo("detect", outage, e.atMs));
    } else {
      out += fmt::format("- **Alert resolved** at {} UTC{}{}.\n", utc(e.atMs),
                         firedAt ? "" : " (it was already firing when the window began)",
                         timeTo("resolve", outage, e.atMs));
      firedAt.reset();
    }
  }
  if (firedAt) {
    out += "- The alert was still firing at the end of the window.\n";
  }
  if (!anyAlert && !outages.empty()) {
    out += "- No alert fired: the failures stayed under the check's failure_threshold.\n";
  }
  out += "\n";
}

// "trigger delivered, resolve delivered after 2 retries", per notifier.
std::string pagedSummary(const std::string& name, const std::vector<HistoryEvent>& events) {
  std::map<std::string, std::vector<std::string>> byNotifier;
  std::map<std::pair<std::string, std::string>, int> retries;  // (notifier, action) -> retries
  for (const HistoryEvent& e : events) {
    if (e.type != HistoryEvent::Type::Notification || checkOfKey(e.check) != name) {
      continue;
    }
    const std::string action = parseAlertKey(e.check).second == AlertKind::Check
                                   ? e.action
                                   : std::string(alertNoun(e.check)) + " " + e.action;
    auto& count = retries[{e.notifier, action}];
    if (e.outcome == "retry") {
      ++count;
      continue;
    }
    std::string text = action + " " + e.outcome;
    if (count > 0) {
      text += fmt::format(" after {} retr{}", count, count == 1 ? "y" : "ies");
      count = 0;
    }
    byNotifier[e.notifier].push_back(std::move(text));
  }
  for (const auto& [key, count] : retries) {
    if (count > 0) {
      byNotifier[key.first].push_back(
          fmt::format("{} still being retried ({} so far)", key.second, count));
    }
  }
  if (byNotifier.empty()) {
    return "nobody";
  }
  std::string out;
  for (const auto& [notifier, outcomes] : byNotifier) {
    if (!out.empty()) {
      out += "; ";
    }
    out += notifier + ": ";
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      out += (i > 0 ? ", " : "") + outcomes[i];
    }
  }
  return out;
}

// "down until 10:25:00 (15m): 30 runs, first `status == 200 (got 503)`", at the outage's start.
std::string outageLine(const std::string& name, const Outage& outage) {
  return fmt::format("**{}** down{} {}: {}, first {}", name,
                     outage.beganBefore ? " (since before the window)" : "",
                     outage.ongoing() ? std::string("and still down at the end of the window")
                                      : fmt::format("until {} UTC ({})", utc(outage.endMs),
                                                    span(outage.endMs - outage.startMs)),
                     outage.runsText(), code(outage.firstFailure));
}

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

// At most kTimelineLimit entries: every alert change, delivery and Slack request (the first
// and last ones when even they are too many), then the outages with the most failed runs; one
// entry, where the first left-out one was, says what was left out and how to see it.
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
  std::string what;
  for (const auto& [check, count] : outagesByCheck) {
    what += fmt::format("{}{} of {}", what.empty() ? "" : ", ", count, check);
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

}  // namespace

namespace {

// Says how the reading goes, from a second on, at most once a second.
class ProgressLine {
 public:
  explicit ProgressLine(const ReportProgress& progress) : progress_(progress) {}
  void tell(const std::function<std::string()>& line) {
    if (!progress_) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - started_ >= std::chrono::seconds(1) && now - toldAt_ >= std::chrono::seconds(1)) {
      progress_(line());
      toldAt_ = now;
      told_ = true;
    }
  }
  bool told() const { return told_; }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  const ReportProgress& progress_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point toldAt_{};
  bool told_ = false;
};

}  // namespace

bool readReportData(HistoryReader& history, const std::vector<std::string>& wanted,
                    const ReportWindow& window, ReportData& data, std::string& error,
                    const ReportProgress& progress) {
  data = ReportData{};
  data.location = history.location(error);
  data.events = history.events(wanted, window.sinceMs, window.untilMs, error);
  if (!error.empty()) {
    return false;
  }
  std::set<std::string> checks(wanted.begin(), wanted.end());
  if (wanted.empty()) {
    for (const std::string& name : history.failedChecks(window.sinceMs, window.untilMs, error)) {
      checks.insert(name);
    }
    for (const HistoryEvent& e : data.events) {
      if (!checkOfKey(e.check).empty()) {
        checks.insert(checkOfKey(e.check));
      }
    }
  }
  ProgressLine line(progress);
  std::uint64_t runsRead = 0;
  std::size_t checksRead = 0;
  for (const std::string& name : checks) {
    const auto before = history.runs(name, 0, window.sinceMs, 1, error);
    CheckRuns& counts = data.runs[name];
    OutageBuilder outages(!before.empty() && !before.back().passed);
    history.forEachRun(
        name, window.sinceMs, window.untilMs,
        [&](const RunRecord& run) {
          ++counts.total;
          counts.failed += run.passed ? 0 : 1;
          outages.add(run);
          if (++runsRead % 65'536 == 0) {
            line.tell([&] {
              return fmt::format("reading the history: {} of {} checks, {} runs", checksRead,
                                 checks.size(), runsRead);
            });
          }
          return true;
        },
        error);
    counts.outages = outages.take();
    ++checksRead;
  }
  if (line.told()) {
    progress(fmt::format("read {} runs of {} checks in {:.1f}s", runsRead, checks.size(),
                         line.seconds()));
  }
  data.checks.assign(checks.begin(), checks.end());
  return error.empty();
}

std::string renderReport(const ReportData& data, const ReportWindow& window,
                         const std::map<std::string, ReportedCheck>& configured) {
  std::string out;
  std::string title;
  for (const std::string& name : data.checks) {
    title += (title.empty() ? "" : ", ") + name;
  }
  out += fmt::format("# Incident report: {}\n\n", title.empty() ? "no failing check" : title);
  out += fmt::format(
      "A first draft written by prober from what it recorded{} between {} and {} UTC (generated "
      "{} UTC). Check every line, then fill in Root Cause and Action Items.\n\n",
      data.location.empty() ? "" : " from location " + data.location, utc(window.sinceMs),
      utc(window.untilMs), utc(window.generatedAtMs));

  out += "## Description\n\n";
  if (data.checks.empty()) {
    out += "No check failed or alerted in the window.\n\n";
  }
  for (const std::string& name : data.checks) {
    const auto runs = data.runs.find(name);
    describeCheck(out, name, runs == data.runs.end() ? CheckRuns{} : runs->second, data.events);
  }

  out += "## Area of Influence\n\n";
  if (!data.checks.empty()) {
    out += "| check | URL | labels | failed runs | alerts | paged |\n";
    out += "|---|---|---|---|---|---|\n";
  }
  for (const std::string& name : data.checks) {
    const auto info = configured.find(name);
    std::string url = "(no longer in the config)";
    std::string labels;
    if (info != configured.end()) {
      url = code(info->second.url);
      for (const auto& [key, value] : info->second.labels) {
        labels += (labels.empty() ? "" : ", ") + key + "=" + value;
      }
    }
    const auto runs = data.runs.find(name);
    std::uint64_t total = 0, failed = 0;
    if (runs != data.runs.end()) {
      total = runs->second.total;
      failed = runs->second.failed;
    }
    // fired and resolved by kind ("alert", "certificate warning", ...), and pages held.
    std::map<std::string_view, std::pair<int, int>> changes{{"alert", {0, 0}}};
    int held = 0;
    for (const HistoryEvent& e : data.events) {
      if (e.type != HistoryEvent::Type::Alert || checkOfKey(e.check) != name) {
        continue;
      }
      if (e.action == "held") {
        ++held;
      } else if (e.action == "fired" || e.action == "resolved") {
        auto& [fired, resolved] = changes[alertNoun(e.check)];
        ++(e.action == "fired" ? fired : resolved);
      }
    }
    std::string alerts;
    for (const std::string_view noun : {"alert", "certificate warning", "degraded warning"}) {
      if (const auto it = changes.find(noun); it != changes.end()) {
        alerts += fmt::format("{}{}fired {}, resolved {}", alerts.empty() ? "" : "; ",
                              noun == "alert" ? "" : std::string(noun) + " ", it->second.first,
                              it->second.second);
      }
    }
    if (held > 0) {
      alerts += fmt::format("; {} page{} held", held, held == 1 ? "" : "s");
    }
    out += fmt::format("| {} | {} | {} | {} of {} | {} | {} |\n", cell(name), cell(url),
                       cell(labels.empty() ? "-" : labels), failed, total, alerts,
                       cell(pagedSummary(name, data.events)));
  }
  bool anySlash = false;
  for (const HistoryEvent& e : data.events) {
    if (e.type == HistoryEvent::Type::SlashCommand && e.action == "allowed") {
      if (!anySlash) {
        out += "\nPaged by people from Slack:\n\n";
        anySlash = true;
      }
      out += fmt::format("- {} UTC: {} through {}: \"{}\"\n", utc(e.atMs), who(e), e.notifier,
                         e.detail);
    }
  }
  out += "\n## Timeline\n\n";
  const auto entries = capTimeline(timelineOf(data));
  if (entries.empty()) {
    out += "Nothing was recorded in the window.\n";
  } else {
    out += "| time (UTC) | what happened |\n|---|---|\n";
    for (const Entry& entry : entries) {
      out += fmt::format("| {} | {} |\n", utc(entry.atMs), cell(entry.text));
    }
  }
  out += "\n## Root Cause\n\n<!-- What caused it, and why the system let it happen. -->\n\n";
  out += "## Action Items\n\n| action | owner | due date |\n|---|---|---|\n|  |  |  |\n";
  return out;
}

}  // namespace prober
