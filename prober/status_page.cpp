#include "prober/status_page.h"

#include <fmt/format.h>
#include <algorithm>

#include "checks/duration.h"
#include "prober/api.h"

namespace prober {

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

namespace {

// Recent runs as bars: height by latency (relative to the slowest), red when failed.
std::string historyChart(const CheckState& check) {
  const auto runs = check.history();
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

}  // namespace

std::string renderStatusPage(const std::vector<const CheckState*>& checks) {
  std::size_t failing = 0;
  for (const CheckState* check : checks) {
    failing += check->last() && !check->last()->passed ? 1 : 0;
  }
  std::string html = fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>prober: {} checks, {} failing</title>
<style>
body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;width:100%}} th,td{{text-align:left;padding:.4em .6em;border-bottom:1px solid #ddd;vertical-align:middle}}
.state{{font-weight:600;padding:.1em .5em;border-radius:3px;color:#fff}}
.passing{{background:#2e7d32}} .failing{{background:#c62828}} .pending{{background:#757575}}
rect.ok{{fill:#66bb6a}} rect.bad{{fill:#e53935}} .why{{color:#c62828;font-family:monospace}}
</style></head><body>
<h1>prober</h1>
<p>{} checks, {} failing. <a href="/metrics">metrics</a> · <a href="/api/v1/checks">API</a></p>
<table><thead><tr><th>Check</th><th>State</th><th>Alert</th><th>Last latency</th><th>Status</th><th>Recent runs</th><th>Last failure</th></tr></thead><tbody>
)",
                                 checks.size(), failing, checks.size(), failing);
  for (const CheckState* check : checks) {
    const CheckSpec& spec = *check->spec();
    const auto& last = check->last();
    const char* state = !last ? "pending" : (last->passed ? "passing" : "failing");
    const std::string lastFailure =
        check->lastFailure().empty()
            ? std::string()
            : fmt::format("{}: {}", isoTimestampUtc(check->lastFailureAt()), check->lastFailure());
    html += fmt::format(
        R"(<tr id="{0}"><td><strong>{0}</strong><br><small>{1}</small></td><td><span class="state {2}">{2}</span></td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td class="why">{7}</td></tr>
)",
        escapeHtml(spec.name), escapeHtml(spec.steps.empty() ? "" : spec.steps.front().displayUrl),
        state, check->alert().firing() ? "firing" : "ok",
        last ? formatSeconds(last->durationSeconds) : "",
        last && last->lastProbe() && last->lastProbe()->status != 0
            ? std::to_string(last->lastProbe()->status)
            : "",
        historyChart(*check), escapeHtml(lastFailure));
  }
  html += "</tbody></table></body></html>\n";
  return html;
}

}  // namespace prober
