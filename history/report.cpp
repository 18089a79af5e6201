#include "history/report.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>

#include "alerting/alert_event.h"
#include "history/report_parts.h"

namespace prober {

namespace {

using namespace report;

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
