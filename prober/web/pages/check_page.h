#pragma once
// GET /checks/NAME: one check for the people looking after it. Its state first; uptime; the
// last day's latency by phase; availability per hour and per day coloured by the share of runs
// that failed; failed runs grouped into outages ("down 14:02–14:09, 7 runs, status == 200 (got
// 503)"); its alerts and pages; the silences and maintenance windows that cover it.
#include <cstdint>
#include <string>
#include <vector>

#include "alerting/holds/silence.h"
#include "checks/check_spec.h"
#include "history/history.h"
#include "prober/runtime/check_state.h"
#include "prober/web/uptime.h"

namespace prober {

struct CheckPageView {
  const CheckState* check = nullptr;
  std::int64_t nowMs = 0;
  std::int64_t sinceMs = 0;                 // the runs below start here (a day back)
  std::vector<RunRecord> runs;              // since sinceMs, oldest first
  std::vector<HistoryEvent> events;         // alerts and deliveries since sinceMs
  std::vector<RunCount> hours;              // the last 30 days, per hour with runs
  const CheckUptime* uptime = nullptr;      // nullptr before the first computation
  Millis monthCovered = kMonthWindow.span;  // what uptime->last30d covers (the retention's less)
  std::vector<Silence> silences;            // in force and covering the check
  std::vector<MaintenanceSpec> windows;     // covering the check
};

std::string renderCheckPage(const CheckPageView& view);

}  // namespace prober
