#pragma once
// JSON views of checks and runs, shared by /api/v1/checks and `prober once --format json`.
#include <boost/json/value.hpp>
#include <chrono>
#include <string>

#include "alerting/alert_event.h"
#include "checks/run_result.h"
#include "history/history.h"
#include "prober/runtime/check_state.h"

namespace prober {

boost::json::value runToJson(const RunResult& run);
boost::json::value checkToJson(const CheckState& state);
// A check's recorded history: its runs and its alert and notification events, oldest first.
boost::json::value historyToJson(const std::string& check, std::int64_t sinceMs,
                                 const std::vector<RunRecord>& runs,
                                 const std::vector<HistoryEvent>& events);

}  // namespace prober
