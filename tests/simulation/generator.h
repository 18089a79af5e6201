#pragma once
// From a seed, a schedule: the checks and notifiers, the config versions reloads and restarts
// move between, and the faults in time. Choices stay within what the oracle judges exactly
// (one restart at a time).
#include <cstdint>

#include "tests/simulation/schedule.h"

namespace prober::simulation {

// Each generation of the generator adds kinds of faults; a seed replays the schedule it had under
// the generation it is run with, so a regression seed keeps finding the bug it found after the
// generator learns more (regressions.txt names the generation of each seed).
inline constexpr int kFirstGenerator = 1;   // up to reloads of `page`, refused reloads, refusals
inline constexpr int kLatestGenerator = 4;  // 2: + windows changed by reloads, checks removed
                                            //   and brought back, depends_on children judged
                                            // 3: + the wall clock stepped back, kills while
                                            //   the disk refuses writes
                                            // 4: + kills while its backlog drains after
Schedule generate(std::uint64_t seed, int generator = kLatestGenerator);

}  // namespace prober::simulation
