#pragma once
// What the HTML pages share: the head (viewport, the one stylesheet, no script, nothing
// fetched from elsewhere), the state words with a mark besides their colour, and times for
// people ("3 min ago", the full UTC time on hover).
#include <cstdint>
#include <string>
#include <string_view>

#include "prober/runtime/check_state.h"

namespace prober {

std::string escapeHtml(std::string_view text);

// <!doctype html> to <body>; the page reloads itself every `refreshSeconds` (0: never).
std::string pageHead(std::string_view title, int refreshSeconds);

// What a check is now, for people: its last run's health, and for one that is not passing,
// whether its pages are held. Silenced and suppressed refine failing or degraded; a passing
// check is passing whatever holds it.
enum class ShownState { Pending, Passing, Degraded, Failing, Silenced, Suppressed };
ShownState shownState(const CheckState& state);
std::string_view stateWord(ShownState state);  // "passing", "failing", ...
// Serious first: failing, suppressed, silenced, degraded, pending, passing.
int severity(ShownState state);
// The state's colour ("#c62828"): at least 4.5:1 against white (white text on it reads), so
// also more than the 3:1 graphics need.
std::string_view stateColour(ShownState state);
// <span class="state failing">✕ failing</span>: the word and a mark, so no colour is needed.
std::string stateBadge(ShownState state);

// "just now", "42 s ago", "3 min ago", "5 h ago", "4 days ago".
std::string relativeTime(std::int64_t atMs, std::int64_t nowMs);
// "12 min", "3 h 5 min", "2 days 4 h": how long, for people.
std::string spanText(std::int64_t ms);
// "14:02" (UTC), with the date in front when it is not `nowMs`'s day: "Dec 1 14:02".
std::string clockText(std::int64_t atMs, std::int64_t nowMs);
// <time datetime="2026-12-02T14:02:11Z" title="2026-12-02 14:02:11 UTC">3 min ago</time>
std::string timeTag(std::int64_t atMs, std::int64_t nowMs);
// The full time for a title: "2026-12-02 14:02:11 UTC".
std::string fullTime(std::int64_t atMs);

}  // namespace prober
