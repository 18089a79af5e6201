#pragma once
// `prober once`: run selected checks once, concurrently, and report each.
#include <iosfwd>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

// The table's last line: "12 checks: 11 passed, 1 failed".
std::string onceSummary(const std::vector<RunResultPtr>& results);

enum class OnceFormat { Table, Json };

// Returns the exit code: 0 all passed, 1 any failed, 2 a named check does not exist.
int runOnce(const Config& config, const std::vector<std::string>& selected, OnceFormat format,
            std::ostream& out, std::ostream& err);

}  // namespace prober
