#include "prober/web/pages/check_page.h"

#include <fmt/format.h>

#include <algorithm>

#include "alerting/alert_event.h"
#include "alerting/holds/maintenance.h"
#include "checks/duration.h"
#include "history/outages.h"
#include "prober/web/pages/charts.h"
#include "prober/web/pages/page_parts.h"
#include "prober/web/pages/status_page.h"

namespace prober {

namespace {

constexpr std::size_t kOutagesShown = 50;
constexpr std::size_t kEventsShown = 100;

// The state, in a sentence: "failing since 14:02 (12 min): status == 200 (got 503)".
std::string stateSentence(const CheckState& state, std::int64_t nowMs) {
  const auto& last = state.last();
  if (!last) {
    return "No run has finished yet.";
  }
  std::string text =
      fmt::format("Last run {} took {}{}.", timeTag(toMillis(last->startedAt), nowMs),
                  formatSeconds(last->durationSeconds),
                  last->lastProbe() && last->lastProbe()->status != 0
                      ? fmt::format(", status {}", last->lastProbe()->status)
                      : std::string());
  if (!last->passed) {
    const std::int64_t since = toMillis(state.failingSince());
    text += fmt::format(" Failing since {} ({}): <span class=\"why\">{}</span>.",
                        clockText(since, nowMs), spanText(nowMs - since),
                        escapeHtml(last->firstFailure()));
  } else if (last->degraded()) {
    text += fmt::format(" Slower than it should be: <span class=\"why\">{}</span>.",
                        escapeHtml(last->firstDegradation()));
  }
  return text;
}

std::string uptimeLine(const CheckUptime* uptime, Millis monthCovered) {
  if (uptime == nullptr) {
    return "<p class=\"uptime\">Uptime is being worked out from the history.</p>\n";
  }
  // A month's figure from less history says what it covers.
  const bool shortened = monthCovered < kMonthWindow.span;
  return fmt::format(
      "<p class=\"uptime\" id=\"uptime\">Uptime: <b>{}</b> over 24 h · <b>{}</b> over 7 d · "
      "<b>{}</b> over {}{} <span class=\"muted small\">(share of runs passed, by the UTC "
      "hour)</span></p>\n",
      uptimeText(uptime->last24h), uptimeText(uptime->last7d), uptimeText(uptime->last30d),
      spanLabel(monthCovered), shortened ? " (all the history keeps: history_retention)" : "");
}

std::string availability(const CheckPageView& view) {
  std::map<std::int64_t, RunCount> byHour;
  std::map<std::int64_t, RunCount> byDay;
  for (const RunCount& hour : view.hours) {
    byHour[hour.startMs] = hour;
    RunCount& day = byDay[hour.startMs - hour.startMs % kDayMs];
    day.runs += hour.runs;
    day.passed += hour.passed;
  }
  const std::int64_t thisHour = view.nowMs - view.nowMs % kHourMs;
  std::vector<AvailabilityCell> hours;
  for (std::int64_t at = thisHour - 23 * kHourMs; at <= thisHour; at += kHourMs) {
    const auto it = byHour.find(at);
    hours.push_back({at, it == byHour.end() ? RunCount{at, 0, 0} : it->second});
  }
  const std::int64_t today = view.nowMs - view.nowMs % kDayMs;
  std::vector<AvailabilityCell> days;
  for (std::int64_t at = today - 29 * kDayMs; at <= today; at += kDayMs) {
    const auto it = byDay.find(at);
    days.push_back({at, it == byDay.end() ? RunCount{at, 0, 0} : it->second});
  }
  return fmt::format(
      "<h2>Availability</h2>\n<p class=\"legend small\"><span><span class=\"swatch\" "
      "style=\"background:#1e7b34\"></span>all passed</span><span><span class=\"swatch\" "
      "style=\"background:#b26a00\"></span>! under 5 % failed</span><span><span class=\"swatch\" "
      "style=\"background:#d84315\"></span>! 5–50 % failed</span><span><span class=\"swatch\" "
      "style=\"background:#8e0000\"></span>✕ half or more failed</span><span>· no runs</span>"
      "</p>\n<p>Per hour, the last 24 hours (UTC):</p>\n<div class=\"scroll\">{}</div>\n<p>Per "
      "day, the last 30 days (UTC):</p>\n<div class=\"scroll\">{}</div>\n",
      availabilityStrip(hours, "%H", 3, "Availability per hour over the last 24 hours"),
      availabilityStrip(days, "%d", 5, "Availability per day over the last 30 days"));
}

std::string outagesSection(const CheckPageView& view, std::int64_t fromMs) {
  const auto outages = outagesOf(view.runs);
  std::string html = fmt::format(
      "<h2>Outages</h2>\n<p class=\"muted small\">Failed runs since {}, grouped: an outage ends "
      "at the first of {} passes in a row.</p>\n",
      fullTime(fromMs), OutageBuilder::kRecoveryRuns);
  if (outages.empty()) {
    return html + "<p>None.</p>\n";
  }
  html += "<ul class=\"outages\">\n";
  std::size_t shown = 0;
  for (auto it = outages.rbegin(); it != outages.rend() && shown < kOutagesShown; ++it, ++shown) {
    const Outage& outage = *it;
    const std::string when =
        outage.ongoing()
            ? fmt::format("down since {} ({}, ongoing)", clockText(outage.startMs, view.nowMs),
                          spanText(view.nowMs - outage.startMs))
            : fmt::format("down {}–{} ({})", clockText(outage.startMs, view.nowMs),
                          clockText(outage.endMs, view.nowMs),
                          spanText(outage.endMs - outage.startMs));
    html += fmt::format(
        "<li><b>{}</b>, {}, <span class=\"why\">{}</span></li>\n", when, outage.runsText(),
        escapeHtml(outage.firstFailure.empty() ? outage.reason : outage.firstFailure));
  }
  if (outages.size() > shown) {
    html += fmt::format("<li class=\"muted\">and {} earlier</li>\n", outages.size() - shown);
  }
  return html + "</ul>\n";
}

std::string eventsSection(const CheckPageView& view) {
  std::string html = "<h2>Alerts and pages</h2>\n";
  if (view.events.empty()) {
    return html + "<p>None in the last day.</p>\n";
  }
  html += "<table><thead><tr><th>When</th><th>What</th><th>Detail</th></tr></thead><tbody>\n";
  std::size_t shown = 0;
  for (auto it = view.events.rbegin(); it != view.events.rend() && shown < kEventsShown;
       ++it, ++shown) {
    const auto [name, kind] = parseAlertKey(it->check);
    const std::string noun = kind == AlertKind::Certificate ? "certificate warning"
                             : kind == AlertKind::Degraded  ? "degraded warning"
                                                            : "alert";
    const std::string what =
        it->type == HistoryEvent::Type::Alert
            ? fmt::format("{} {}", noun, it->action)
            : fmt::format("{} {} to {}: {}", noun, it->action, it->notifier, it->outcome);
    html += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"small\">{}</td></tr>\n",
                        timeTag(it->atMs, view.nowMs), escapeHtml(what), escapeHtml(it->detail));
  }
  html += "</tbody></table>\n";
  if (view.events.size() > shown) {
    html += fmt::format("<p class=\"muted\">and {} earlier</p>\n", view.events.size() - shown);
  }
  return html;
}

std::string holdsSection(const CheckPageView& view) {
  std::string html = "<h2>Silences and maintenance</h2>\n";
  if (view.silences.empty() && view.windows.empty()) {
    return html + "<p>No silence or maintenance window covers this check.</p>\n";
  }
  html += "<ul>\n";
  for (const Silence& silence : view.silences) {
    html += fmt::format("<li>Silence {} by {} until {}{}</li>\n", silence.id,
                        escapeHtml(silence.createdBy.empty() ? "?" : silence.createdBy),
                        fullTime(toMillis(silence.endsAt)),
                        silence.comment.empty() ? "" : ": " + escapeHtml(silence.comment));
  }
  const auto now = fromMillis(view.nowMs);
  for (const MaintenanceSpec& window : view.windows) {
    std::string when;
    if (const auto open = openWindowAt(window, now)) {
      when = fmt::format("open now, until {}", fullTime(toMillis(open->end)));
    } else if (const auto next = nextStartAfter(window, now)) {
      when = fmt::format("next from {} for {}", fullTime(toMillis(*next)),
                         spanText(window.duration.count()));
    } else {
      when = "over";
    }
    html +=
        fmt::format("<li>Maintenance window <b>{}</b>{}: {}</li>\n", escapeHtml(window.name),
                    window.schedule ? fmt::format(" (schedule in {})", escapeHtml(window.timezone))
                                    : std::string(),
                    when);
  }
  return html + "</ul>\n";
}

}  // namespace

std::string renderCheckPage(const CheckPageView& view) {
  const CheckState& state = *view.check;
  const CheckSpec& spec = *state.spec();
  std::string labels;
  for (const auto& [key, value] : spec.labels) {
    labels += fmt::format(" {}={}", escapeHtml(key), escapeHtml(value));
  }
  std::string html = pageHead("prober: " + spec.name, 30);
  html += fmt::format(
      "<p><a href=\"/\">all checks</a> · <a href=\"/api/v1/checks/{0}/history\">history API</a> "
      "· <a href=\"/badge/{0}/status.svg\">badge</a></p>\n<h1>{0} {1}</h1>\n<p "
      "class=\"mono small\">{2}{3}</p>\n<p id=\"now\">{4}</p>\n<p>Alert: {5}.</p>\n{6}",
      escapeHtml(spec.name), stateBadge(shownState(state)), escapeHtml(spec.displayUrl()), labels,
      stateSentence(state, view.nowMs), escapeHtml(alertText(state)),
      uptimeLine(view.uptime, view.monthCovered));
  const std::int64_t from =
      view.runs.empty() ? view.sinceMs : std::max(view.sinceMs, view.runs.front().atMs);
  html += fmt::format(
      "<h2>Latency by phase</h2>\n<p class=\"muted small\">{} runs since {} ({} "
      "ago); mean per slice; failed runs marked ✕ under the axis.</p>\n",
      view.runs.size(), fullTime(from), spanText(view.nowMs - from));
  if (view.runs.empty()) {
    html += "<p>No runs recorded yet.</p>\n";
  } else {
    html += "<p class=\"legend small\">";
    for (std::size_t p = 0; p < kPhaseNames.size(); ++p) {
      html += fmt::format("<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
                          phaseColour(p), kPhaseNames[p]);
    }
    html += "</p>\n<div class=\"scroll\">" + phaseChart(view.runs, from, view.nowMs, view.nowMs) +
            "</div>\n";
  }
  html +=
      availability(view) + outagesSection(view, from) + eventsSection(view) + holdsSection(view);
  return html + "</body></html>\n";
}

}  // namespace prober
