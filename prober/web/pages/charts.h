#pragma once
// The pages' charts, drawn on the server as SVG: time runs left to right on a labelled axis,
// a failed run is a full-height red column with a cross (it stands out however fast it
// failed), and each chart has a text summary for screen readers and a title per mark.
#include <cstdint>
#include <string>
#include <vector>

#include "history/history.h"
#include "prober/runtime/check_state.h"

namespace prober {

// The check's recent runs (the ones it keeps in memory): latency as a line over time, failed
// runs as columns, the slowest latency and the span labelled.
std::string recentRunsChart(const std::vector<RunSummary>& runs, std::int64_t nowMs);

// Latency by phase over [sinceMs, untilMs] in equal slices: the mean of each phase of the runs
// in a slice, stacked; slices with a failed run marked under the axis.
std::string phaseChart(const std::vector<RunRecord>& runs, std::int64_t sinceMs,
                       std::int64_t untilMs, std::int64_t nowMs);

// One cell per hour or day, coloured by the share of runs that failed and marked with a glyph
// (none: all passed; "!": some failed; "✕": half or more; "·": no runs), labelled by `label`
// ("%H" for hours, "%e" for days) under every `labelEvery`-th cell.
struct AvailabilityCell {
  std::int64_t startMs = 0;
  RunCount count;
};
std::string availabilityStrip(const std::vector<AvailabilityCell>& cells, const char* label,
                              int labelEvery, std::string_view what);

// The colour of a phase in phaseChart (index in kPhaseNames), for the legend.
std::string_view phaseColour(std::size_t phase);

// The fill of a cell by its failure share (exposed for the status page's legend).
std::string_view failureShareColour(const RunCount& count);

}  // namespace prober
