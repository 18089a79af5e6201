#include "alerting/alert_state.h"

#include <algorithm>
#include <bit>
#include <ostream>

namespace prober {

namespace {

// The lowest `runs` bits set (runs from 0 to 64).
std::uint64_t lowest(int runs) {
  return runs >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << runs) - 1;
}

}  // namespace

int AlertState::failuresInWindow() const {
  return windowed() ? std::popcount(recentFailures_ & lowest(failureWindow_))
                    : std::min(consecutiveFailures_, failureThreshold_);
}

AlertTransition AlertState::record(bool passed) {
  recentFailures_ = (recentFailures_ << 1) | (passed ? 0 : 1);
  if (passed) {
    consecutiveFailures_ = 0;
    ++consecutiveSuccesses_;
    if (firing_ && consecutiveSuccesses_ >= successThreshold_) {
      firing_ = false;
      recentFailures_ = 0;
      return AlertTransition::Resolve;
    }
    return AlertTransition::None;
  }
  consecutiveSuccesses_ = 0;
  ++consecutiveFailures_;
  const bool reached = windowed() ? failuresInWindow() >= failureThreshold_
                                  : consecutiveFailures_ >= failureThreshold_;
  if (!firing_ && reached) {
    firing_ = true;
    return AlertTransition::Fire;
  }
  return AlertTransition::None;
}

void AlertState::restore(bool firing, int consecutiveFailures) {
  firing_ = firing;
  consecutiveFailures_ = consecutiveFailures;
  consecutiveSuccesses_ = 0;
  recentFailures_ = lowest(std::clamp(consecutiveFailures, 0, 64));
}

void AlertState::carryOver(const AlertState& before) {
  firing_ = before.firing_;
  consecutiveFailures_ = before.consecutiveFailures_;
  consecutiveSuccesses_ = before.consecutiveSuccesses_;
  recentFailures_ = before.recentFailures_;
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
