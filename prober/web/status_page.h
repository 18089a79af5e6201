#pragma once
// The human view at GET /: every check, its state, last latency, last failure, recent runs.
#include <string>
#include <vector>

#include "history/history.h"
#include "prober/runtime/check_state.h"

namespace prober {

// `location`: where this instance probes from ("" when not set), named in the heading.
std::string renderStatusPage(const std::vector<const CheckState*>& checks,
                             const std::string& location = "");

// GET /checks/NAME: one check over the last day from the history: availability, latency and
// failures in 15-minute bars, the latest failed runs, and its alerts and pages.
std::string renderCheckPage(const CheckState& state, std::int64_t sinceMs, std::int64_t untilMs,
                            const std::vector<RunRecord>& runs,
                            const std::vector<HistoryEvent>& events);
std::string escapeHtml(std::string_view text);

}  // namespace prober
