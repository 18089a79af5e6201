#pragma once
// JSON views of checks and runs, shared by /api/v1/checks and `prober once --format json`.
#include <boost/json/value.hpp>
#include <chrono>
#include <string>

#include "checks/run_result.h"
#include "prober/check_state.h"

namespace prober {

std::string isoTimestamp(std::chrono::system_clock::time_point at);  // 2026-11-24T08:00:00.000Z
boost::json::value runToJson(const RunResult& run);
boost::json::value checkToJson(const CheckState& check);

}  // namespace prober
