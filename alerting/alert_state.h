#pragma once
// When a check's alert fires and resolves: a pure state machine over consecutive results.
#include <iosfwd>

namespace prober {

enum class AlertTransition { None, Fire, Resolve };

class AlertState {
 public:
  AlertState(int failureThreshold, int successThreshold)
      : failureThreshold_(failureThreshold), successThreshold_(successThreshold) {}

  // Feeds one run's outcome; returns whether it fired or resolved the alert.
  AlertTransition record(bool passed);

  // Carries state across a restart or a reload that changed the check's thresholds.
  void restore(bool firing, int consecutiveFailures) {
    firing_ = firing;
    consecutiveFailures_ = consecutiveFailures;
    consecutiveSuccesses_ = 0;
  }

  bool firing() const { return firing_; }
  int consecutiveFailures() const { return consecutiveFailures_; }
  int consecutiveSuccesses() const { return consecutiveSuccesses_; }

 private:
  int failureThreshold_;
  int successThreshold_;
  bool firing_ = false;
  int consecutiveFailures_ = 0;
  int consecutiveSuccesses_ = 0;
};

std::ostream& operator<<(std::ostream& out, AlertTransition transition);

}  // namespace prober
