#pragma once
// Writes down on every running check what holds its pages now (CheckState::holdMarks), for
// prober_check_silenced, prober_check_suppressed, the API and the status pages. Holds change
// with time (a window opens, a silence ends) as well as by events, so the marks are redone
// when something changed and, before a request reads them, when they are a second old.
#include "alerting/holds/hold_policy.h"
#include "checks/clock.h"
#include "prober/runtime/check_set.h"

namespace prober {

class HoldMarker {
 public:
  HoldMarker(const CheckSet& checks, const HoldPolicy& policy, const Clock& clock)
      : checks_(checks), policy_(policy), clock_(clock) {}

  void markAll();
  // markAll() unless the marks are less than a second old.
  void refresh();

 private:
  const CheckSet& checks_;
  const HoldPolicy& policy_;
  const Clock& clock_;
  SteadyTime markedAt_{};
};

}  // namespace prober
