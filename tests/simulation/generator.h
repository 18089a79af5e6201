#pragma once
// From a seed, a schedule: the checks and notifiers, the config versions reloads and restarts
// move between, and the faults in time. Choices stay within what the oracle judges exactly
// (no kill while the disk refuses writes or soon after, one restart at a time).
#include <cstdint>

#include "tests/simulation/schedule.h"

namespace prober::simulation {

Schedule generate(std::uint64_t seed);

}  // namespace prober::simulation
