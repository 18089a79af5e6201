// The SVG charts on fixed runs: each has a summary screen readers read, a failed run stands out
// as its own full-height mark with a title, and the axes are labelled in UTC.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "prober/web/pages/charts.h"
#include "tests/unit/prober/web/pages/render_fixtures.h"

using namespace prober::render_test;

namespace {

prober::RunSummary summary(std::int64_t minutesAgo, float seconds, int status, bool passed) {
  return {prober::fromMillis(kNowMs - minutesAgo * kMinuteMs), seconds,
          static_cast<std::int16_t>(status), passed};
}

prober::RunRecord record(std::int64_t atMs, bool passed, std::array<float, 5> phaseMs) {
  prober::RunRecord run;
  run.atMs = atMs;
  run.passed = passed;
  run.phaseMs = phaseMs;
  return run;
}

}  // namespace

TEST_CASE("render: the recent runs chart marks each failed run and sums the runs up in words") {
  const std::vector<prober::RunSummary> runs = {
      summary(5, 0.05F, 200, true), summary(4, 1.2F, 503, false), summary(3, 0.08F, 200, true),
      summary(2, 0.5F, 0, false),  // no response at all
      summary(1, 0.0417F, 200, true)};
  const std::string svg = prober::recentRunsChart(runs, kNowMs);
  const std::string words =
      "Latency of the last 5 runs over 5 min: 2 failed, slowest 1.2s, last 41.7ms (passed)";
  CHECK(has(svg, "role=\"img\" aria-label=\"" + words + "\"><title>" + words + "</title>"));
  // A full-height red column and a cross per failed run, each with its own title.
  CHECK(occurrences(svg, "y=\"12\" width=\"") == 2);
  CHECK(occurrences(svg, "height=\"32\" fill=\"#c62828\"/>") == 2);
  CHECK(occurrences(svg, "font-weight:700\">✕</text>") == 2);
  CHECK(has(svg, "<title>2026-12-07 11:56:00 UTC failed: status 503, 1.2s</title>"));
  CHECK(has(svg, "<title>2026-12-07 11:58:00 UTC failed: no response, 500ms</title>"));
  // The passed runs: a point each on one line, drawn over the columns.
  CHECK(occurrences(svg, "<circle ") == 3);
  CHECK(has(svg, "<title>2026-12-07 11:59:00 UTC passed, 41.7ms</title>"));
  CHECK(occurrences(svg, "<polyline ") == 1);
  CHECK(positionOf(svg, "failed: status 503") < positionOf(svg, "<polyline "));
  // The axis: the slowest run above, the span's start and "now" under it.
  CHECK(has(svg, ">max 1.2s</text>"));
  CHECK(has(svg, ">5 min ago</text>"));
  CHECK(has(svg, "text-anchor=\"end\">now</text></svg>"));
  CHECK(occurrences(svg, "<svg") == 1);
  CHECK(occurrences(svg, "</svg>") == 1);
  CHECK(occurrences(svg, "<g>") == occurrences(svg, "</g>"));
  CHECK(occurrences(svg, "<title>") == 1 + 5);  // the chart's and one per run
}

TEST_CASE("render: a recent runs chart of failures only has no line; no runs, no chart") {
  const std::string svg =
      prober::recentRunsChart({summary(2, 0.3F, 500, false), summary(1, 0.4F, 500, false)}, kNowMs);
  CHECK(has(svg, "2 failed, slowest 400ms, last 400ms (failed)\""));
  CHECK(occurrences(svg, "font-weight:700\">✕</text>") == 2);
  CHECK_FALSE(has(svg, "<polyline"));
  CHECK_FALSE(has(svg, "<circle"));

  const std::string none = prober::recentRunsChart({}, kNowMs);
  CHECK(none == "<span class=\"muted small\">no runs yet</span>");
}

TEST_CASE("render: the phase chart stacks the mean phases per slice and marks failed slices") {
  // A day in 96 slices of 15 minutes; two failed runs share the slice from midnight.
  const std::int64_t since = kNowMs - prober::kDayMs;
  const std::vector<prober::RunRecord> runs = {
      record(kNowMs - 23 * prober::kHourMs, true, {1, 2, 3, 30, 4}),
      record(kNowMs - 12 * prober::kHourMs, false, {1, 2, 0, 0, 0}),
      record(kNowMs - 12 * prober::kHourMs + kMinuteMs, false, {1, 4, 0, 0, 0}),
      record(kNowMs - prober::kHourMs, false, {3, 0, 0, 0, 0}),
      record(kNowMs - 30 * kMinuteMs, true, {2, 4, 6, 60, 8})};
  const std::string svg = prober::phaseChart(runs, since, kNowMs, kNowMs);
  CHECK(has(svg,
            "aria-label=\"Latency by phase from 2026-12-06 12:00:00 UTC to 2026-12-07 "
            "12:00:00 UTC, mean per 15 min slice; the tallest slice took 80ms; 3 runs "
            "failed\""));
  CHECK(occurrences(svg, "<g><title>") == 4);  // the slices with runs
  CHECK(has(svg,
            "<title>from 2026-12-07 00:00:00 UTC: 2 runs, 2 failed; resolve 1ms; connect "
            "3ms; tls 0ms; processing 0ms; transfer 0ms</title>"));
  CHECK(has(svg,
            "<title>from 2026-12-07 11:30:00 UTC: 1 runs, 0 failed; resolve 2ms; connect "
            "4ms; tls 6ms; processing 60ms; transfer 8ms</title>"));
  // A mark under the axis for each slice with a failed run: two, not three.
  CHECK(occurrences(svg, "height=\"10\" fill=\"#c62828\"/>") == 2);
  CHECK(occurrences(svg, "font-size:9px\">✕</text>") == 2);
  for (std::size_t phase = 0; phase < prober::kPhaseNames.size(); ++phase) {
    CHECK(occurrences(svg, "fill=\"" + std::string(prober::phaseColour(phase)) + "\"/>") == 4);
  }
  // The tallest slice fills the plot: its five phases stack to 150 px.
  CHECK(has(svg, "<text x=\"2\" y=\"12\">80ms</text>"));
  // Ticks every 3 hours, dated when on the day before now's.
  for (const char* tick :
       {">Dec 6 15:00</text>", ">Dec 6 21:00</text>", ">00:00</text>", ">09:00</text>"}) {
    CHECK_MESSAGE(has(svg, tick), tick);
  }
  CHECK(occurrences(svg, "text-anchor=\"middle\">") == 7);  // the crosses carry a style first
  CHECK_FALSE(has(svg, ">12:00</text>"));
  CHECK(occurrences(svg, "<svg") == 1);
  CHECK(occurrences(svg, "</svg>") == 1);
  CHECK(occurrences(svg, "<g>") == occurrences(svg, "</g>"));
}

TEST_CASE("render: a run outside the phase chart's span lands in its first or last slice") {
  const std::int64_t since = kNowMs - prober::kDayMs;
  const std::string svg =
      prober::phaseChart({record(since - prober::kHourMs, false, {5, 0, 0, 0, 0}),
                          record(kNowMs + prober::kHourMs, true, {0, 5, 0, 0, 0})},
                         since, kNowMs, kNowMs);
  CHECK(has(svg, "<title>from 2026-12-06 12:00:00 UTC: 1 runs, 1 failed; resolve 5ms"));
  CHECK(has(svg,
            "<title>from 2026-12-07 11:45:00 UTC: 1 runs, 0 failed; resolve 0ms; connect "
            "5ms"));
  CHECK(occurrences(svg, "<g><title>") == 2);
}

TEST_CASE("render: the availability strip colours and marks each cell by its failed share") {
  const std::int64_t eight = kNowMs - 4 * prober::kHourMs;
  const std::vector<prober::AvailabilityCell> cells = {
      {eight, {eight, 0, 0}},
      {eight + prober::kHourMs, {eight + prober::kHourMs, 60, 60}},
      {eight + 2 * prober::kHourMs, {eight + 2 * prober::kHourMs, 100, 99}},
      {eight + 3 * prober::kHourMs, {eight + 3 * prober::kHourMs, 60, 30}}};
  const std::string svg = prober::availabilityStrip(cells, "%H", 2, "Check <a&b> per hour");
  CHECK(has(svg,
            "<svg class=\"wide\" width=\"104\" height=\"38\" viewBox=\"0 0 104 38\" "
            "role=\"img\" aria-label=\"Check &lt;a&amp;b&gt; per hour: 220 runs, 31 "
            "failed\">"));
  CHECK(has(svg, "<title>2026-12-07 08:00:00 UTC: no runs</title>"));
  CHECK(has(svg, "<title>2026-12-07 09:00:00 UTC: 0 of 60 runs failed</title>"));
  CHECK(has(svg, "<title>2026-12-07 10:00:00 UTC: 1 of 100 runs failed</title>"));
  CHECK(has(svg, "<title>2026-12-07 11:00:00 UTC: 30 of 60 runs failed</title>"));
  // The mark says it without the colour: none when all passed, "!" some, "✕" half or more.
  CHECK(occurrences(svg, ">·</text>") == 1);
  CHECK(occurrences(svg, "font-size:12px\"></text>") == 1);
  CHECK(occurrences(svg, ">!</text>") == 1);
  CHECK(occurrences(svg, ">✕</text>") == 1);
  CHECK(has(svg, "fill=\"#ffffff\" stroke=\"#999\"/>"));
  CHECK(has(svg, "fill=\"#1e7b34\" stroke=\"none\"/>"));
  CHECK(has(svg, "fill=\"#b26a00\" stroke=\"none\"/>"));
  CHECK(has(svg, "fill=\"#8e0000\" stroke=\"none\"/>"));
  // A label under every second cell: 08 and 10.
  CHECK(has(svg, "y=\"36\" text-anchor=\"middle\">08</text>"));
  CHECK(has(svg, "y=\"36\" text-anchor=\"middle\">10</text>"));
  CHECK(occurrences(svg, "y=\"36\"") == 2);
  CHECK(occurrences(svg, "<g>") == 4);
  CHECK(occurrences(svg, "</g>") == 4);
  CHECK(occurrences(svg, "</svg>") == 1);
}
