#pragma once
// Writes down on every running check what holds its pages now (CheckState::holdMarks), for
// prober_check_silenced, prober_check_suppressed, the API and the status pages. Holds change
// with time (a window opens, a silence ends) as well as by events, so the marks are redone
// when something changed and, before a request reads them, when they are a second old.
#include <cstdint>
#include <memory>
#include <vector>

#include "alerting/holds/hold_policy.h"
#include "checks/clock.h"
#include "prober/runtime/check_set.h"

namespace prober {

class HoldMarker {
 public:
  HoldMarker(const CheckSet& checks, const HoldPolicy& policy, const Clock& clock)
      : checks_(checks), policy_(policy), clock_(clock) {}

  // Marks every check, and notes the ones something may hold (HoldPolicy::mayHold).
  void markAll();
  // Before a request reads the marks. markAll() when the checks or the windows and silences
  // changed since it last ran, or the wall clock went back behind it (a silence that had ended
  // may hold again, for checks it did not note); otherwise, when the marks are a second old, marks
  // again only the checks it noted: time alone changes no other check's marks, and walking a
  // million checks held the loop ~50 ms a request.
  void refresh();

 private:
  void mark(CheckState& state) const;

  const CheckSet& checks_;
  const HoldPolicy& policy_;
  const Clock& clock_;
  SteadyTime markedAt_{};
  std::chrono::system_clock::time_point markedAllAtWall_{};
  // What markAll() last marked: the list, the holds as they were, the checks they may hold.
  std::shared_ptr<const CheckList> marked_;
  std::uint64_t holdsChanges_ = 0;
  std::vector<std::shared_ptr<CheckState>> mayBeHeld_;
};

}  // namespace prober
