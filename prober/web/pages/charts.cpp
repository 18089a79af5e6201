#include "prober/web/pages/charts.h"

#include <fmt/format.h>

#include <algorithm>

#include "alerting/alert_event.h"
#include "checks/duration.h"
#include "checks/utc_time.h"
#include "prober/web/pages/page_parts.h"

namespace prober {

namespace {

const std::string_view kPass = stateColour(ShownState::Passing);
const std::string_view kFail = stateColour(ShownState::Failing);

std::string millisText(double ms) {
  return formatSeconds(ms / 1000);
}

}  // namespace

std::string recentRunsChart(const std::vector<RunSummary>& runs, std::int64_t nowMs) {
  if (runs.empty()) {
    return "<span class=\"muted small\">no runs yet</span>";
  }
  constexpr int kWidth = 260, kPlotTop = 12, kPlotHeight = 32, kAxisY = 56, kHeight = 60;
  const std::int64_t startMs = std::min(toMillis(runs.front().at), nowMs - 1000);
  const double span = static_cast<double>(std::max<std::int64_t>(1, nowMs - startMs));
  double slowest = 0.001;
  int failed = 0;
  for (const RunSummary& run : runs) {
    slowest = std::max(slowest, static_cast<double>(run.seconds));
    failed += run.passed ? 0 : 1;
  }
  const auto xOf = [&](const RunSummary& run) {
    return 4 + (kWidth - 8) * static_cast<double>(toMillis(run.at) - startMs) / span;
  };
  const auto yOf = [&](const RunSummary& run) {
    return kPlotTop + kPlotHeight - kPlotHeight * static_cast<double>(run.seconds) / slowest;
  };
  const std::string summary =
      fmt::format("Latency of the last {} runs over {}: {} failed, slowest {}, last {} ({})",
                  runs.size(), spanText(nowMs - startMs), failed, formatSeconds(slowest),
                  formatSeconds(runs.back().seconds), runs.back().passed ? "passed" : "failed");
  std::string svg = fmt::format(
      "<svg class=\"chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"{2}\"><title>{2}</title>"
      "<line x1=\"0\" y1=\"{3}\" x2=\"{0}\" y2=\"{3}\" stroke=\"#bbb\"/>",
      kWidth, kHeight, escapeHtml(summary), kPlotTop + kPlotHeight + 0.5);
  // Failed runs first, as columns under the line: wide enough to see at any latency.
  const double column = std::clamp((kWidth - 8) / static_cast<double>(runs.size()), 4.0, 10.0);
  for (const RunSummary& run : runs) {
    if (!run.passed) {
      svg += fmt::format(
          "<g><title>{} failed: {}, {}</title><rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" "
          "height=\"{}\" fill=\"{}\"/><text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" "
          "style=\"fill:{};font-weight:700\">✕</text></g>",
          fullTime(toMillis(run.at)),
          run.status != 0 ? fmt::format("status {}", run.status) : std::string("no response"),
          formatSeconds(run.seconds), xOf(run) - column / 2, kPlotTop, column, kPlotHeight, kFail,
          xOf(run), kPlotTop - 2, kFail);
    }
  }
  std::string points;
  for (const RunSummary& run : runs) {
    if (run.passed) {
      points += fmt::format("{:.1f},{:.1f} ", xOf(run), yOf(run));
    }
  }
  if (!points.empty()) {
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>",
                       points, kPass);
  }
  for (const RunSummary& run : runs) {
    if (run.passed) {
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" fill=\"{}\"><title>{} passed, {}</title>"
          "</circle>",
          xOf(run), yOf(run), kPass, fullTime(toMillis(run.at)), formatSeconds(run.seconds));
    }
  }
  svg += fmt::format(
      "<text x=\"{3}\" y=\"{1}\" text-anchor=\"middle\">max {0}</text><text x=\"2\" "
      "y=\"{1}\">{2}</text><text x=\"{4}\" y=\"{1}\" text-anchor=\"end\">now</text></svg>",
      formatSeconds(slowest), kAxisY, relativeTime(startMs, nowMs), kWidth / 2, kWidth - 2);
  return svg;
}

std::string phaseChart(const std::vector<RunRecord>& runs, std::int64_t sinceMs,
                       std::int64_t untilMs, std::int64_t nowMs) {
  constexpr int kSlices = 96, kWidth = 960, kPlotTop = 16, kPlotHeight = 150;
  constexpr int kFailY = kPlotTop + kPlotHeight + 4, kAxisY = kFailY + 22, kHeight = kAxisY + 4;
  struct Slice {
    int runs = 0, failed = 0;
    std::array<double, 5> phaseSum{};
  };
  std::vector<Slice> slices(kSlices);
  const double width = static_cast<double>(std::max<std::int64_t>(1, untilMs - sinceMs)) / kSlices;
  for (const RunRecord& run : runs) {
    // Clamped as a double first: a run outside the window lands in the first or last slice.
    Slice& slice = slices[static_cast<std::size_t>(
        std::clamp(static_cast<double>(run.atMs - sinceMs) / width, 0.0, kSlices - 1.0))];
    ++slice.runs;
    slice.failed += run.passed ? 0 : 1;
    for (std::size_t p = 0; p < run.phaseMs.size(); ++p) {
      slice.phaseSum[p] += run.phaseMs[p];
    }
  }
  double tallest = 1;
  for (const Slice& slice : slices) {
    double total = 0;
    for (double sum : slice.phaseSum) {
      total += slice.runs > 0 ? sum / slice.runs : 0;
    }
    tallest = std::max(tallest, total);
  }
  const double barWidth = static_cast<double>(kWidth) / kSlices;
  std::string svg = fmt::format(
      "<svg class=\"wide\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"Latency by phase from {2} to {3}, mean per {4} slice; the tallest slice "
      "took {5}; {6} runs failed\">",
      kWidth, kHeight, fullTime(sinceMs), fullTime(untilMs),
      spanText(static_cast<std::int64_t>(width)), millisText(tallest),
      std::count_if(runs.begin(), runs.end(), [](auto& r) { return !r.passed; }));
  for (int i = 0; i < kSlices; ++i) {
    const Slice& slice = slices[static_cast<std::size_t>(i)];
    const double x = i * barWidth;
    const std::int64_t from = sinceMs + static_cast<std::int64_t>(i * width);
    if (slice.runs == 0) {
      continue;
    }
    std::string title =
        fmt::format("from {}: {} runs, {} failed", fullTime(from), slice.runs, slice.failed);
    double y = kPlotTop + kPlotHeight;
    std::string rects;
    for (std::size_t p = 0; p < slice.phaseSum.size(); ++p) {
      const double mean = slice.phaseSum[p] / slice.runs;
      title += fmt::format("; {} {}", kPhaseNames[p], millisText(mean));
      const double height = kPlotHeight * mean / tallest;
      y -= height;
      rects += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>", x, y,
          barWidth - 1, height, phaseColour(p));
    }
    if (slice.failed > 0) {
      rects += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"10\" fill=\"{}\"/>"
          "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" style=\"fill:#fff;font-size:9px\">"
          "✕</text>",
          x, kFailY, barWidth - 1, kFail, x + barWidth / 2 - 0.5, kFailY + 8);
    }
    svg += fmt::format("<g><title>{}</title>{}</g>", title, rects);
  }
  svg += fmt::format(
      "<line x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#999\"/>"
      "<text x=\"2\" y=\"{2}\">{3}</text>",
      kPlotTop + kPlotHeight + 0.5, kWidth, kPlotTop - 4, millisText(tallest));
  // Hour ticks: one every 3 hours over a day, a label each.
  const std::int64_t step =
      std::max<std::int64_t>(3'600'000, (untilMs - sinceMs) / 8 / 3'600'000 * 3'600'000);
  for (std::int64_t at = sinceMs - sinceMs % step + step; at < untilMs; at += step) {
    const double x =
        kWidth * static_cast<double>(at - sinceMs) / static_cast<double>(untilMs - sinceMs);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#999\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
        x, kPlotTop + kPlotHeight, kPlotTop + kPlotHeight + 3, kAxisY, clockText(at, nowMs));
  }
  return svg + "</svg>";
}

std::string_view phaseColour(std::size_t phase) {
  // Each at least 3:1 against white and apart from its neighbours.
  static constexpr std::string_view kColours[] = {"#6a1b9a", "#1565c0", "#00796b", "#2e7d32",
                                                  "#b34700"};
  return phase < std::size(kColours) ? kColours[phase] : "#616161";
}

std::string_view failureShareColour(const RunCount& count) {
  if (count.runs == 0) {
    return "#ffffff";
  }
  const double failedShare = 1.0 - static_cast<double>(count.passed) / count.runs;
  if (failedShare == 0) {
    return kPass;
  }
  if (failedShare < 0.05) {
    return "#b26a00";
  }
  if (failedShare < 0.5) {
    return "#d84315";
  }
  return "#8e0000";
}

std::string availabilityStrip(const std::vector<AvailabilityCell>& cells, const char* label,
                              int labelEvery, std::string_view what) {
  constexpr int kCell = 24, kGap = 2, kHeight = 24, kLabelY = kHeight + 12;
  const int width = static_cast<int>(cells.size()) * (kCell + kGap);
  std::uint64_t runs = 0, passed = 0;
  for (const auto& cell : cells) {
    runs += cell.count.runs;
    passed += cell.count.passed;
  }
  std::string svg = fmt::format(
      "<svg class=\"wide\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"{2}: {3} runs, {4} failed\">",
      width, kLabelY + 2, escapeHtml(what), runs, runs - passed);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const AvailabilityCell& cell = cells[i];
    const int x = static_cast<int>(i) * (kCell + kGap);
    const RunCount& count = cell.count;
    const std::uint32_t failed = count.runs - count.passed;
    const char* glyph = count.runs == 0            ? "·"
                        : failed == 0              ? ""
                        : failed * 2 >= count.runs ? "✕"
                                                   : "!";
    svg += fmt::format(
        "<g><title>{}: {}</title><rect x=\"{}\" y=\"0\" width=\"{}\" height=\"{}\" rx=\"2\" "
        "fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"16\" text-anchor=\"middle\" "
        "style=\"fill:{};font-weight:700;font-size:12px\">{}</text>",
        fullTime(cell.startMs),
        count.runs == 0 ? std::string("no runs")
                        : fmt::format("{} of {} runs failed", failed, count.runs),
        x, kCell, kHeight, failureShareColour(count), count.runs == 0 ? "#999" : "none",
        x + kCell / 2, count.runs == 0 ? "#666" : "#fff", glyph);
    if (labelEvery > 0 && i % static_cast<std::size_t>(labelEvery) == 0) {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", x + kCell / 2,
                         kLabelY, formatUtc(cell.startMs, label));
    }
    svg += "</g>";
  }
  return svg + "</svg>";
}

}  // namespace prober
