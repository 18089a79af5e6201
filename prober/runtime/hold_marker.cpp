#include "prober/runtime/hold_marker.h"

namespace prober {

void HoldMarker::mark(CheckState& state) const {
  const CheckSpec& spec = *state.spec();
  CheckState::HoldMarks marks;
  if (auto silenced = policy_.silencedBy(spec)) {
    marks.silencedBy = std::move(silenced->reason);
    marks.maintenance = silenced->cause == PageHold::Cause::Maintenance;
  }
  marks.suppressedBy = policy_.firingParents(spec);
  state.setHoldMarks(std::move(marks));
}

void HoldMarker::markAll() {
  marked_ = checks_.sharedInOrder();
  holdsChanges_ = policy_.holdsChanges();
  mayBeHeld_.clear();
  for (const auto& state : *marked_) {
    // Noted before it is marked: a silence that ends between the two is then noted and
    // marked ended later, never marked silenced and left out of the re-marking.
    if (policy_.mayHold(*state->spec())) {
      mayBeHeld_.push_back(state);
    }
    mark(*state);
  }
  markedAt_ = clock_.now();
  markedAllAtWall_ = clock_.wallNow();
}

void HoldMarker::refresh() {
  if (marked_ != checks_.sharedInOrder() || holdsChanges_ != policy_.holdsChanges() ||
      clock_.wallNow() < markedAllAtWall_) {
    markAll();
  } else if (clock_.now() - markedAt_ >= std::chrono::seconds(1)) {
    for (const auto& state : mayBeHeld_) {
      mark(*state);
    }
    markedAt_ = clock_.now();
  }
}

}  // namespace prober
