#pragma once
// A finished run taken by a check's state as the daemon takes it: into the runtime's counters
// and ring (CheckState::record), then judged against the check's alerts (what Alerter::onRun
// does first), so a page or series that reads either sees what it would in the daemon.
#include <chrono>

#include "prober/runtime/check_state.h"

namespace prober::testing {

inline void recordRun(
    CheckState& state, RunResultPtr run,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
  state.record(std::move(run));
  state.alerts().judge(*state.spec(), *state.last(), now);
}

}  // namespace prober::testing
