#include "alerting/alert_state.h"

#include <ostream>

namespace prober {

AlertTransition AlertState::record(bool passed) {
  if (passed) {
    consecutiveFailures_ = 0;
    ++consecutiveSuccesses_;
    if (firing_ && consecutiveSuccesses_ >= successThreshold_) {
      firing_ = false;
      return AlertTransition::Resolve;
    }
    return AlertTransition::None;
  }
  consecutiveSuccesses_ = 0;
  ++consecutiveFailures_;
  if (!firing_ && consecutiveFailures_ >= failureThreshold_) {
    firing_ = true;
    return AlertTransition::Fire;
  }
  return AlertTransition::None;
}

std::ostream& operator<<(std::ostream& out, AlertTransition transition) {
  switch (transition) {
    case AlertTransition::None: return out << "None";
    case AlertTransition::Fire: return out << "Fire";
    case AlertTransition::Resolve: return out << "Resolve";
  }
  return out;
}

}  // namespace prober
