#pragma once
// JSON views of checks and runs, shared by /api/v1/checks and `prober once --format json`.
#include <boost/json/value.hpp>
#include <chrono>
#include <string>

#include "alerting/alert_event.h"
#include "checks/run_result.h"
#include "prober/check_state.h"

namespace prober {

boost::json::value runToJson(const RunResult& run);
boost::json::value checkToJson(const CheckState& check);

}  // namespace prober
