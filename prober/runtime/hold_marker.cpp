#include "prober/runtime/hold_marker.h"

namespace prober {

void HoldMarker::markAll() {
  for (const auto& state : checks_.inOrder()) {
    const CheckSpec& spec = *state->spec();
    CheckState::HoldMarks marks;
    if (auto silenced = policy_.silencedBy(spec)) {
      marks.silencedBy = std::move(silenced->reason);
      marks.maintenance = silenced->cause == PageHold::Cause::Maintenance;
    }
    marks.suppressedBy = policy_.firingParents(spec);
    state->setHoldMarks(std::move(marks));
  }
  markedAt_ = clock_.now();
}

void HoldMarker::refresh() {
  if (markedAt_ == SteadyTime{} || clock_.now() - markedAt_ >= std::chrono::seconds(1)) {
    markAll();
  }
}

}  // namespace prober
