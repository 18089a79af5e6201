#pragma once
// `prober once`: run selected checks once, concurrently, and report each.
#include <iosfwd>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

// "no check named "x" in FILE; known checks: a, b" for the names the config does not hold, or
// "" when it holds them all: what `once --check` and `report --check` say of a typo.
std::string unknownChecks(const Config& config, const std::vector<std::string>& names);

// The table's last line: "12 checks: 11 passed, 1 failed".
std::string onceSummary(const std::vector<RunResultPtr>& results);

enum class OnceFormat { Table, Json };

// Returns the exit code: 0 all passed, 1 any failed, 2 a named check does not exist.
int runOnce(const Config& config, const std::vector<std::string>& selected, OnceFormat format,
            std::ostream& out, std::ostream& err);

}  // namespace prober
