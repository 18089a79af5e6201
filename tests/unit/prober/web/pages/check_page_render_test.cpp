// renderCheckPage on a hand-built day of one check: its state in a sentence, uptime, the
// outages newest first, alerts and pages, availability cells, silences and windows, all escaped.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "prober/web/pages/check_page.h"
#include "tests/fakes/recorded_run.h"
#include "tests/unit/prober/web/pages/render_fixtures.h"

using namespace prober::render_test;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHour = prober::kHourMs;

prober::RunRecord record(std::int64_t atMs, bool passed, const std::string& failure = "") {
  prober::RunRecord run;
  run.atMs = atMs;
  run.check = "search";
  run.passed = passed;
  run.latencyMs = 40;
  run.status = passed ? 200 : 503;
  run.reason = passed ? "" : "http_status";
  run.failure = failure;
  run.phaseMs = {1, 2, 3, 30, 4};
  return run;
}

prober::HistoryEvent event(std::int64_t atMs, prober::HistoryEvent::Type type,
                           const std::string& key, const std::string& action,
                           const std::string& detail, const std::string& notifier = "",
                           const std::string& outcome = "") {
  prober::HistoryEvent e;
  e.atMs = atMs;
  e.type = type;
  e.check = key;
  e.action = action;
  e.detail = detail;
  e.notifier = notifier;
  e.outcome = outcome;
  return e;
}

// The search check's last two hours: an outage 11:00–11:07 (a hostile target's message), three
// passes that end it, and one from 11:50 still going; its alert fires and a silence holds it.
struct SearchDay {
  prober::CheckState state{
      makeSpec("search", "https://search.test/?q=<x>&y", {{"team", "R&D <core>"}})};
  prober::CheckUptime uptime{{0, 220, 189}, {0, 1000, 969}, {0, 4000, 3969}};
  prober::CheckPageView view;

  SearchDay() {
    for (std::int64_t minute : {50, 55, 59}) {
      prober::testing::recordRun(
          state, makeRun("search", kNowMs - (60 - minute) * kMinuteMs, 1.5, 503, false));
    }
    state.setHoldMarks({"silence 7", {}, false});
    const std::int64_t eleven = kNowMs - kHour;
    view.check = &state;
    view.nowMs = kNowMs;
    view.sinceMs = kNowMs - prober::kDayMs;
    view.runs = {record(eleven - 60 * kMinuteMs, true),
                 record(eleven - 30 * kMinuteMs, true),
                 record(eleven, false, hostileFailure()),
                 record(eleven + 2 * kMinuteMs, false, hostileFailure()),
                 record(eleven + 4 * kMinuteMs, false, hostileFailure()),
                 record(eleven + 7 * kMinuteMs, true),
                 record(eleven + 10 * kMinuteMs, true),
                 record(eleven + 13 * kMinuteMs, true),
                 record(eleven + 50 * kMinuteMs, false, "status == 200 (got 503)"),
                 record(eleven + 55 * kMinuteMs, false, "status == 200 (got 503)"),
                 record(eleven + 59 * kMinuteMs, false, "status == 200 (got 503)")};
    using Type = prober::HistoryEvent::Type;
    view.events = {
        event(eleven + 4 * kMinuteMs, Type::Alert, "search", "fired", hostileFailure()),
        event(eleven + 4 * kMinuteMs, Type::Notification, "search", "trigger", "202 <accepted>",
              "pagerduty", "delivered"),
        event(eleven + 7 * kMinuteMs, Type::Alert, "search", "resolved", ""),
        event(eleven + 30 * kMinuteMs, Type::Alert, "search#cert", "fired", "expires soon"),
        event(eleven + 59 * kMinuteMs, Type::Alert, "search", "fired", "status == 200 (got 503)")};
    // 09:00 one failure in a hundred, 10:00 all passed, 11:00 half failed; a day last week.
    view.hours = {{kNowMs - 3 * kHour, 100, 99},
                  {kNowMs - 2 * kHour, 60, 60},
                  {eleven, 60, 30},
                  {kNowMs - 12 * kHour - 5 * prober::kDayMs, 24, 24}};
    view.uptime = &uptime;
    view.monthCovered = 14 * 24h;
    prober::Silence silence;
    silence.id = 7;
    silence.checks = {"search"};
    silence.startsAt = prober::fromMillis(kNowMs - kHour);
    silence.endsAt = prober::fromMillis(kNowMs + kHour);
    silence.comment = "reindex <b>&</b>";
    silence.createdBy = "alice";
    view.silences = {silence};
    prober::MaintenanceSpec open;
    open.name = "search-reindex";
    open.start = prober::fromMillis(kNowMs - 30 * kMinuteMs);
    open.duration = 2h;
    prober::MaintenanceSpec next;
    next.name = "weekly <db>";
    next.start = prober::fromMillis(kNowMs + prober::kDayMs);
    next.duration = 1h;
    view.windows = {open, next};
  }
};

}  // namespace

TEST_CASE("render: the check page opens with the state, why it fails, and the uptime") {
  const SearchDay day;
  const std::string html = prober::renderCheckPage(day.view);
  CHECK(has(html, "<title>prober: search</title>"));
  CHECK(has(html, "<h1>search <span class=\"state silenced\">"));
  CHECK(has(html, "<a href=\"/api/v1/checks/search/history\">history API</a>"));
  CHECK(has(html, "<a href=\"/badge/search/status.svg\">badge</a>"));
  CHECK(has(html,
            "<p class=\"mono small\">https://search.test/?q=&lt;x&gt;&amp;y team=R&amp;D "
            "&lt;core&gt;</p>"));
  CHECK(has(html,
            ">1 min ago</time> took 1.5s, status 503. Failing since 11:50 (10 min): <span "
            "class=\"why\">status == 200 (got 503)</span>.</p>"));
  CHECK(has(html, "<p>Alert: firing; silenced: silence 7.</p>"));
  // 189 of 220 is 85.909 %: cut to 85.90; the month covers what the history keeps, and says so.
  CHECK(has(html,
            "Uptime: <b>85.90 %</b> over 24 h · <b>96.90 %</b> over 7 d · <b>99.22 %</b> "
            "over 14 d (all the history keeps: history_retention)"));
  CHECK(has(html, "11 runs since 2026-12-07 10:00:00 UTC (2 h ago)"));
  CHECK(has(html, "6 runs failed\">"));  // the phase chart's summary
  for (const auto phase : prober::kPhaseNames) {
    CHECK(has(html, std::string("</span>") + std::string(phase) + "</span>"));  // the legend
  }
}

TEST_CASE("render: outages are grouped, newest first, and alerts and pages listed newest first") {
  const SearchDay day;
  const std::string html = prober::renderCheckPage(day.view);
  const std::string ongoing =
      "<li><b>down since 11:50 (10 min, ongoing)</b>, 3 runs, <span class=\"why\">status == 200 "
      "(got 503)</span></li>";
  const std::string over =
      "<li><b>down 11:00–11:07 (7 min)</b>, 3 runs, <span class=\"why\">body contains "
      "&quot;ok&quot; (got &lt;script&gt;alert(1)&lt;/script&gt; \xEF\xBF\xBD\xEF\xBF\xBD&amp;)"
      "</span></li>";
  CHECK(positionOf(html, ongoing) < positionOf(html, over));
  CHECK(occurrences(html, "<li><b>down ") == 2);

  const std::size_t lastFired = positionOf(html, "<td>alert fired</td><td class=\"small\">status");
  const std::size_t cert = positionOf(html, "<td>certificate warning fired</td>");
  const std::size_t resolved = positionOf(html, "<td>alert resolved</td>");
  const std::size_t delivered =
      positionOf(html,
                 "<td>alert trigger to pagerduty: delivered</td><td class=\"small\">202 "
                 "&lt;accepted&gt;</td>");
  const std::size_t firstFired = positionOf(html, "<td>alert fired</td><td class=\"small\">body");
  CHECK(lastFired < cert);
  CHECK(cert < resolved);
  CHECK(resolved < delivered);
  CHECK(delivered < firstFired);
  CHECK_FALSE(has(html, "earlier"));
}

TEST_CASE("render: availability cells per hour and day, silences and windows on the check page") {
  const SearchDay day;
  const std::string html = prober::renderCheckPage(day.view);
  // 100 + 60 + 60 runs in the last 24 hours, 1 + 30 of them failed; the day last week adds 24.
  CHECK(has(html,
            "aria-label=\"Availability per hour over the last 24 hours: 220 runs, 31 "
            "failed\""));
  CHECK(has(html,
            "aria-label=\"Availability per day over the last 30 days: 244 runs, 31 "
            "failed\""));
  CHECK(has(html, "<title>2026-12-07 11:00:00 UTC: 30 of 60 runs failed</title>"));
  CHECK(has(html, "<title>2026-12-07 09:00:00 UTC: 1 of 100 runs failed</title>"));
  CHECK(has(html, "<title>2026-12-07 00:00:00 UTC: 31 of 220 runs failed</title>"));  // today
  CHECK(has(html, "<title>2026-12-02 00:00:00 UTC: 0 of 24 runs failed</title>"));

  CHECK(has(html,
            "<li>Silence 7 by alice until 2026-12-07 13:00:00 UTC: reindex "
            "&lt;b&gt;&amp;&lt;/b&gt;</li>"));
  CHECK(has(html,
            "<li>Maintenance window <b>search-reindex</b>: open now, until 2026-12-07 "
            "13:30:00 UTC</li>"));
  CHECK(has(html,
            "<li>Maintenance window <b>weekly &lt;db&gt;</b>: next from 2026-12-08 "
            "12:00:00 UTC for 1 h</li>"));

  CHECK_FALSE(has(html, "<script"));
  CHECK(prober::isValidUtf8(html));
  CHECK(occurrences(html, "<svg") == 3);  // latency by phase, hours, days
  CHECK(occurrences(html, "</svg>") == 3);
  CHECK(occurrences(html, "<g>") == occurrences(html, "</g>"));
  CHECK(occurrences(html, "<ul") == occurrences(html, "</ul>"));
  CHECK(occurrences(html, "<table") == occurrences(html, "</table>"));
}

TEST_CASE("render: a check page before any run says so in every section") {
  prober::CheckState state(makeSpec("fresh", "https://fresh.test/"));
  prober::CheckPageView view;
  view.check = &state;
  view.nowMs = kNowMs;
  view.sinceMs = kNowMs - prober::kDayMs;
  const std::string html = prober::renderCheckPage(view);
  CHECK(has(html, "<h1>fresh <span class=\"state pending\">"));
  CHECK(has(html, "<p id=\"now\">No run has finished yet.</p>"));
  CHECK(has(html, "<p>Alert: ok.</p>"));
  CHECK(has(html, "Uptime is being worked out from the history."));
  CHECK(has(html, "0 runs since 2026-12-06 12:00:00 UTC (24 h ago)"));
  CHECK(has(html, "<p>No runs recorded yet.</p>"));
  CHECK(has(html, "grouped: an outage ends at the first of 3 passes in a row.</p>\n<p>None.</p>"));
  CHECK(has(html, "<p>None in the last day.</p>"));
  CHECK(has(html, "<p>No silence or maintenance window covers this check.</p>"));
  CHECK(has(html, "over the last 24 hours: 0 runs, 0 failed"));
  CHECK(occurrences(html, "<svg") == 2);             // no phase chart without runs
  CHECK(occurrences(html, ">·</text>") == 24 + 30);  // every cell marked as without runs
}

TEST_CASE("render: a degraded check page says why it is slow, and a long day counts the rest") {
  prober::CheckState state(makeSpec("slowpoke", "https://slow.test/"));
  auto run =
      std::make_shared<prober::RunResult>(*makeRun("slowpoke", kNowMs - kMinuteMs, 2.5, 200, true));
  run->steps.front().verdict.degradations.push_back("duration < 1s (got 2.5s)");
  prober::testing::recordRun(state, run);
  prober::CheckPageView view;
  view.check = &state;
  view.nowMs = kNowMs;
  view.sinceMs = kNowMs - prober::kDayMs;
  for (int i = 0; i < 105; ++i) {
    view.events.push_back(event(kNowMs - (200 - i) * kMinuteMs, prober::HistoryEvent::Type::Alert,
                                "slowpoke#degraded", i % 2 == 0 ? "fired" : "resolved", ""));
  }
  const std::string html = prober::renderCheckPage(view);
  CHECK(has(html, "<h1>slowpoke <span class=\"state degraded\">"));
  CHECK(has(html,
            " Slower than it should be: <span class=\"why\">duration &lt; 1s (got 2.5s)"
            "</span>."));
  CHECK_FALSE(has(html, "Failing since"));
  CHECK(occurrences(html, "<td>degraded warning ") == 100);
  CHECK(has(html, "<p class=\"muted\">and 5 earlier</p>"));
}
