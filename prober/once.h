#pragma once
// `prober once`: run selected checks once, concurrently, and report each.
#include <iosfwd>
#include <string>
#include <vector>

#include "checks/check_spec.h"

namespace prober {

enum class OnceFormat { Table, Json };

// Returns the exit code: 0 all passed, 1 any failed, 2 a named check does not exist.
int runOnce(const Config& config, const std::vector<std::string>& selected, OnceFormat format,
            std::ostream& out, std::ostream& err);

}  // namespace prober
