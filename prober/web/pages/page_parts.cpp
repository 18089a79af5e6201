#include "prober/web/pages/page_parts.h"

#include <fmt/format.h>

#include "alerting/alert_event.h"
#include "checks/text.h"
#include "checks/utc_time.h"

namespace prober {

namespace {

// One stylesheet for every page. Colours against white: each state's colour has at least 4.5:1
// contrast (its white text reads, and as a graphic it passes 3:1), and every state also has
// its mark and word, so nothing depends on telling red from green. On a phone the wide charts
// scroll sideways in a right-to-left box, which opens at its right end: the newest hours show
// first, without a script.
constexpr std::string_view kStyle = R"(
:root{--line:#ddd}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:1400px;padding:1em 1.5em;color:#1a1a1a;background:#fff}
a{color:#0b57d0}
h1{font-size:1.5em;margin:.2em 0} h2{font-size:1.15em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%} table.checks{table-layout:fixed}
th,td{text-align:left;padding:.45em .6em;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:.85em;color:#444;font-weight:600}
.state{display:inline-block;font-weight:600;padding:.1em .55em;border-radius:3px;color:#fff;white-space:nowrap}
.muted{color:#555} .small{font-size:.85em} .mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.why{color:#a11;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;overflow-wrap:anywhere}
.uptime{font-variant-numeric:tabular-nums} td.uptime{white-space:nowrap} .uptime b{font-weight:600}
.scroll{overflow-x:auto;max-width:100%} .scroll>svg{direction:ltr;display:block}
.low{color:#c62828;font-weight:700}
.counts a{margin-right:1em;white-space:nowrap}
form.filter{margin:.8em 0} form.filter input[type=search]{font:inherit;padding:.35em .5em;width:22em;max-width:100%}
form.filter button{font:inherit;padding:.35em .9em}
details.group{margin:1em 0;border:1px solid var(--line);border-radius:6px;padding:0 .8em}
details.group>summary{cursor:pointer;padding:.6em 0;font-weight:600}
svg text{font:10px system-ui,"DejaVu Sans",sans-serif;fill:#444}
.pager{margin:1em 0}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.legend span{margin-right:1em;white-space:nowrap} .swatch{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em;border-radius:2px}
@media (max-width:760px){
 body{padding:.6em}
 table.checks thead{display:none}
 table.checks{table-layout:auto} table.checks tr{display:block;border-bottom:2px solid var(--line);padding:.4em 0}
 table.checks td{display:block;border:0;padding:.2em .2em}
 table.checks td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#444}
 form.filter input[type=search]{width:100%}
 .scroll{direction:rtl}
 svg.chart{width:100%;height:auto}
}
)";

}  // namespace

std::string escapeHtml(std::string_view text) {
  return escapeCharacters(
      text, {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}});
}

std::string_view stateColour(ShownState state) {
  switch (state) {
    case ShownState::Pending: return "#616161";
    case ShownState::Passing: return "#1e7b34";
    case ShownState::Degraded: return "#8a5300";
    case ShownState::Failing: return "#c62828";
    case ShownState::Silenced: return "#5e35b1";
    case ShownState::Suppressed: return "#6d4c41";
  }
  return "#616161";
}

std::string pageHead(std::string_view title, int refreshSeconds) {
  std::string stateStyle;
  for (ShownState state : {ShownState::Pending, ShownState::Passing, ShownState::Degraded,
                           ShownState::Failing, ShownState::Silenced, ShownState::Suppressed}) {
    stateStyle += fmt::format(".{}{{background:{}}}", stateWord(state), stateColour(state));
  }
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{}"
      "<title>{}</title>\n<style>{}{}\n</style></head><body>\n",
      refreshSeconds > 0
          ? fmt::format("<meta http-equiv=\"refresh\" content=\"{}\">\n", refreshSeconds)
          : std::string(),
      escapeHtml(title), kStyle, stateStyle);
}

ShownState shownState(const CheckState& state) {
  const auto& last = state.last();
  if (!last) {
    return ShownState::Pending;
  }
  if (last->passed && !last->degraded()) {
    return ShownState::Passing;
  }
  if (state.suppressed() && !last->passed) {
    return ShownState::Suppressed;
  }
  if (state.silenced()) {
    return ShownState::Silenced;
  }
  return last->passed ? ShownState::Degraded : ShownState::Failing;
}

std::string_view stateWord(ShownState state) {
  switch (state) {
    case ShownState::Pending: return "pending";
    case ShownState::Passing: return "passing";
    case ShownState::Degraded: return "degraded";
    case ShownState::Failing: return "failing";
    case ShownState::Silenced: return "silenced";
    case ShownState::Suppressed: return "suppressed";
  }
  return "pending";
}

int severity(ShownState state) {
  switch (state) {
    case ShownState::Failing: return 5;
    case ShownState::Suppressed: return 4;
    case ShownState::Silenced: return 3;
    case ShownState::Degraded: return 2;
    case ShownState::Pending: return 1;
    case ShownState::Passing: return 0;
  }
  return 0;
}

std::string stateBadge(ShownState state) {
  static constexpr std::string_view kMarks[] = {"…", "✓", "▲", "✕", "⊘", "↳"};
  return fmt::format("<span class=\"state {0}\"><span aria-hidden=\"true\">{1}</span> {0}</span>",
                     stateWord(state), kMarks[static_cast<int>(state)]);
}

std::string spanText(std::int64_t ms) {
  const std::int64_t minutes = std::max<std::int64_t>(0, ms) / 60'000;
  if (minutes < 1) {
    return fmt::format("{} s", std::max<std::int64_t>(0, ms) / 1000);
  }
  if (minutes < 60) {
    return fmt::format("{} min", minutes);
  }
  if (minutes < 48 * 60) {
    return minutes % 60 == 0 ? fmt::format("{} h", minutes / 60)
                             : fmt::format("{} h {} min", minutes / 60, minutes % 60);
  }
  const std::int64_t hours = minutes / 60;
  return hours % 24 == 0 ? fmt::format("{} days", hours / 24)
                         : fmt::format("{} days {} h", hours / 24, hours % 24);
}

std::string relativeTime(std::int64_t atMs, std::int64_t nowMs) {
  const std::int64_t ago = nowMs - atMs;
  if (ago < 5'000) {
    return "just now";
  }
  const std::int64_t minutes = ago / 60'000;
  if (minutes < 1) {
    return fmt::format("{} s ago", ago / 1000);
  }
  if (minutes < 60) {
    return fmt::format("{} min ago", minutes);
  }
  if (minutes < 48 * 60) {
    return fmt::format("{} h ago", minutes / 60);
  }
  return fmt::format("{} days ago", minutes / (24 * 60));
}

std::string clockText(std::int64_t atMs, std::int64_t nowMs) {
  const bool sameDay = atMs / 86'400'000 == nowMs / 86'400'000;
  return formatUtc(atMs, sameDay ? "%H:%M" : "%b %-d %H:%M");
}

std::string fullTime(std::int64_t atMs) {
  return readableUtc(fromMillis(atMs));
}

std::string timeTag(std::int64_t atMs, std::int64_t nowMs) {
  return fmt::format("<time datetime=\"{}\" title=\"{}\">{}</time>",
                     isoTimestampUtc(fromMillis(atMs)), fullTime(atMs), relativeTime(atMs, nowMs));
}

}  // namespace prober
