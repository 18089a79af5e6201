#pragma once
// What the alerter needs to know of a check that stops running here (Alerter::checkLeft),
// without knowing the runtime's CheckState.
#include <chrono>

#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

// A check that stopped running here, as it was when it left.
struct LeavingCheck {
  const CheckSpec& spec;
  // Still in the config: it moved to another shard, whose instance resolves it now.
  bool stillConfigured = false;
  const RunResult* last = nullptr;  // its last run, null when it never ran
  bool firing = false;
  std::chrono::system_clock::time_point failingSince{};
  bool certWarningFiring = false;
  std::chrono::system_clock::time_point certExpiry{};
  bool degradedFiring = false;
  std::chrono::system_clock::time_point degradedSince{};
};

}  // namespace prober
