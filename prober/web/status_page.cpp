#include "prober/web/status_page.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "checks/duration.h"
#include "checks/text.h"
#include "prober/web/api.h"

namespace prober {

std::string escapeHtml(std::string_view text) {
  return escapeCharacters(
      text, {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}});
}

namespace {

// Recent runs as bars: height by latency (relative to the slowest), red when failed.
std::string historyChart(const CheckState& state) {
  const auto runs = state.history();
  if (runs.empty()) {
    return "";
  }
  float slowest = 0.001f;
  for (const auto& run : runs) {
    slowest = std::max(slowest, run.seconds);
  }
  constexpr int kBarWidth = 4;
  constexpr int kHeight = 24;
  std::string svg =
      fmt::format(R"(<svg width="{}" height="{}" role="img" aria-label="recent runs">)",
                  CheckState::kHistoryLength * kBarWidth, kHeight);
  int x = static_cast<int>((CheckState::kHistoryLength - runs.size()) * kBarWidth);
  for (const auto& run : runs) {
    const int height = std::max(2, static_cast<int>(run.seconds / slowest * kHeight));
    svg += fmt::format(
        R"(<rect x="{}" y="{}" width="{}" height="{}" class="{}"><title>{} {} {} {}</title></rect>)",
        x, kHeight - height, kBarWidth - 1, height, run.passed ? "ok" : "bad",
        isoTimestampUtc(run.at), formatSeconds(run.seconds),
        run.status != 0 ? std::to_string(run.status) : "no response",
        run.passed ? "passed" : "failed");
    x += kBarWidth;
  }
  return svg + "</svg>";
}

// pending | passing | degraded | failing
const char* stateName(const CheckState& state) {
  const auto& last = state.last();
  if (!last) {
    return "pending";
  }
  return !last->passed ? "failing" : (last->degraded() ? "degraded" : "passing");
}

// The alert's state, then what holds its pages, in words: "firing; silenced: maintenance
// weekly-db until ...", "ok; suppressed: core-api fires".
std::string alertText(const CheckState& state) {
  std::string text = state.alert().firing() ? "firing" : "ok";
  if (state.degradedAlert().firing()) {
    text += "; degraded warning";
  }
  if (const CheckState::HoldMarks* marks = state.holdMarks()) {
    if (!marks->silencedBy.empty()) {
      text += "; silenced: " + marks->silencedBy;
    }
    if (!marks->suppressedBy.empty()) {
      text += fmt::format("; suppressed: {} firing", fmt::join(marks->suppressedBy, ", "));
    }
  }
  return text;
}

}  // namespace

std::string renderStatusPage(const std::vector<const CheckState*>& checks,
                             const std::string& location) {
  std::size_t failing = 0;
  for (const CheckState* entry : checks) {
    failing += entry->last() && !entry->last()->passed ? 1 : 0;
  }
  std::string html =
      fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>prober: {} checks, {} failing</title>
<style>
body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;width:100%}} th,td{{text-align:left;padding:.4em .6em;border-bottom:1px solid #ddd;vertical-align:middle}}
.state{{font-weight:600;padding:.1em .5em;border-radius:3px;color:#fff}}
.passing{{background:#2e7d32}} .failing{{background:#c62828}} .pending{{background:#757575}} .degraded{{background:#8a5a00}}
rect.ok{{fill:#66bb6a}} rect.bad{{fill:#e53935}} .why{{color:#c62828;font-family:monospace}}
</style></head><body>
<h1>prober{}</h1>
<p>{} checks, {} failing. <a href="/metrics">metrics</a> · <a href="/api/v1/checks">API</a></p>
<table><thead><tr><th>Check</th><th>State</th><th>Alert</th><th>Last latency</th><th>Status</th><th>Recent runs</th><th>Last failure</th></tr></thead><tbody>
)",
                  checks.size(), failing, location.empty() ? "" : " from " + escapeHtml(location),
                  checks.size(), failing);
  for (const CheckState* entry : checks) {
    const CheckSpec& spec = *entry->spec();
    const auto& last = entry->last();
    const char* state = stateName(*entry);
    const std::string lastFailure =
        entry->lastFailure().empty()
            ? std::string()
            : fmt::format("{}: {}", isoTimestampUtc(entry->lastFailureAt()), entry->lastFailure());
    html += fmt::format(
        R"(<tr id="{0}"><td><strong><a href="/checks/{0}">{0}</a></strong><br><small>{1}</small></td><td><span class="state {2}">{2}</span></td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td class="why">{7}</td></tr>
)",
        escapeHtml(spec.name), escapeHtml(spec.steps.empty() ? "" : spec.steps.front().displayUrl),
        state, escapeHtml(alertText(*entry)), last ? formatSeconds(last->durationSeconds) : "",
        last && last->lastProbe() && last->lastProbe()->status != 0
            ? std::to_string(last->lastProbe()->status)
            : "",
        historyChart(*entry), escapeHtml(lastFailure));
  }
  html += "</tbody></table></body></html>\n";
  return html;
}

namespace {

// The window in equal slices, one bar each: height by the slowest run in it, red when any run
// failed, grey when none ran.
std::string dayChart(std::int64_t sinceMs, std::int64_t untilMs,
                     const std::vector<RunRecord>& runs) {
  constexpr int kBars = 96;
  constexpr int kBarWidth = 8;
  constexpr int kHeight = 48;
  struct Bar {
    int runs = 0;
    int failed = 0;
    double slowestMs = 0;
  };
  std::vector<Bar> bars(kBars);
  const double slice = static_cast<double>(std::max<std::int64_t>(1, untilMs - sinceMs)) / kBars;
  double slowest = 1;
  for (const RunRecord& run : runs) {
    const auto index = static_cast<std::size_t>(
        std::clamp((run.atMs - sinceMs) / slice, 0.0, static_cast<double>(kBars - 1)));
    Bar& bar = bars[index];
    ++bar.runs;
    bar.failed += run.passed ? 0 : 1;
    bar.slowestMs = std::max(bar.slowestMs, run.latencyMs);
    slowest = std::max(slowest, run.latencyMs);
  }
  std::string svg = fmt::format(
      R"(<svg width="{}" height="{}" role="img" aria-label="the last day in 15-minute bars">)",
      kBars * kBarWidth, kHeight);
  for (int i = 0; i < kBars; ++i) {
    const Bar& bar = bars[static_cast<std::size_t>(i)];
    const int height =
        bar.runs == 0 ? 2 : std::max(3, static_cast<int>(bar.slowestMs / slowest * kHeight));
    svg += fmt::format(
        R"(<rect x="{}" y="{}" width="{}" height="{}" class="{}"><title>from {}: {} runs, {} failed, slowest {}</title></rect>)",
        i * kBarWidth, kHeight - height, kBarWidth - 1, height,
        bar.runs == 0 ? "none" : (bar.failed > 0 ? "bad" : "ok"),
        isoTimestampUtc(fromMillis(sinceMs + static_cast<std::int64_t>(i * slice))), bar.runs,
        bar.failed, formatSeconds(bar.slowestMs / 1000));
  }
  return svg + "</svg>";
}

}  // namespace

std::string renderCheckPage(const CheckState& state, std::int64_t sinceMs, std::int64_t untilMs,
                            const std::vector<RunRecord>& runs,
                            const std::vector<HistoryEvent>& events) {
  const CheckSpec& spec = *state.spec();
  const auto failed = std::count_if(runs.begin(), runs.end(), [](auto& r) { return !r.passed; });
  const std::string availability =
      runs.empty()
          ? "no runs yet"
          : fmt::format("{:.3f} % of {} runs passed",
                        100.0 *
                            static_cast<double>(runs.size() - static_cast<std::size_t>(failed)) /
                            static_cast<double>(runs.size()),
                        runs.size());
  std::string html = fmt::format(
      R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>prober: {0}</title>
<style>
body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse}} th,td{{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd}}
rect.ok{{fill:#66bb6a}} rect.bad{{fill:#e53935}} rect.none{{fill:#bdbdbd}} .why{{color:#c62828;font-family:monospace}}
</style></head><body>
<p><a href="/">all checks</a> · <a href="/api/v1/checks/{0}/history">history API</a></p>
<h1>{0}</h1>
<p>{1}</p>
<p>Now {6}. Since {2}: {3}; the alert is {4}.</p>
{5}
)",
      escapeHtml(spec.name), escapeHtml(spec.steps.empty() ? "" : spec.steps.front().displayUrl),
      isoTimestampUtc(fromMillis(sinceMs)), availability, escapeHtml(alertText(state)),
      dayChart(sinceMs, untilMs, runs), stateName(state));
  html += "<h2>Latest failed runs</h2>\n";
  std::vector<const RunRecord*> failures;
  for (auto it = runs.rbegin(); it != runs.rend() && failures.size() < 20; ++it) {
    if (!it->passed) {
      failures.push_back(&*it);
    }
  }
  if (failures.empty()) {
    html += "<p>None.</p>\n";
  } else {
    html += "<table><tr><th>When</th><th>Status</th><th>Reason</th><th>First failure</th></tr>\n";
    for (const RunRecord* run : failures) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"why\">{}</td></tr>\n",
                          isoTimestampUtc(fromMillis(run->atMs)),
                          run->status == 0 ? "-" : std::to_string(run->status),
                          escapeHtml(run->reason), escapeHtml(run->failure));
    }
    html += "</table>\n";
  }
  html += "<h2>Alerts and pages</h2>\n";
  if (events.empty()) {
    html += "<p>None.</p>\n";
  } else {
    html += "<table><tr><th>When</th><th>What</th><th>Detail</th></tr>\n";
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      const std::string what =
          it->type == HistoryEvent::Type::Alert
              ? fmt::format("{} {}", it->check, it->action)
              : fmt::format("{} to {}: {}", it->action, it->notifier, it->outcome);
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                          isoTimestampUtc(fromMillis(it->atMs)), escapeHtml(what),
                          escapeHtml(it->detail));
    }
    html += "</table>\n";
  }
  return html + "</body></html>\n";
}

}  // namespace prober
