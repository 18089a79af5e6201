#pragma once
// The engineers' view at GET /: every check with its state, uptime over 24 h / 7 d / 30 d, its
// recent runs on a time axis, its last failure and alert, grouped by a label, filtered by
// `?q=` and paged (`?page=N`), so 10,000 checks stay one quick page at a time.
#include <cstdint>
#include <string>
#include <vector>

#include "prober/runtime/check_state.h"
#include "prober/web/uptime.h"

namespace prober {

struct DashboardView {
  std::vector<const CheckState*> checks;  // every running check
  const UptimeSnapshot* uptime = nullptr;
  std::int64_t nowMs = 0;
  std::string location;  // where this instance probes from ("" when not set)
  std::string groupBy;   // the label checks are grouped by ("" : one group)
  std::string query;     // ?q=
  std::size_t page = 1;  // ?page=, from 1
};

inline constexpr std::size_t kChecksPerPage = 100;

std::string renderStatusPage(const DashboardView& view);

// The check's alert, then what holds its pages, in words: "firing; silenced: maintenance
// weekly-db until ...", "ok; suppressed: core-api firing".
std::string alertText(const CheckState& state);

}  // namespace prober
