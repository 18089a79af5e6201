#pragma once
// When a check's alert fires and resolves: a pure state machine over recent results. It fires
// when `failureThreshold` of the last `failureWindow` runs failed (by default the window is the
// threshold: that many failures in a row) and resolves after `successThreshold` passes in a row.
#include <cstdint>
#include <iosfwd>

namespace prober {

enum class AlertTransition { None, Fire, Resolve };

class AlertState {
 public:
  // The widest failure_window: the window's runs are kept as bits of one word.
  static constexpr int kMaxFailureWindow = 64;

  // `failureWindow` 0 (or not above the threshold): failures in a row.
  AlertState(int failureThreshold, int successThreshold, int failureWindow = 0)
      : failureThreshold_(failureThreshold),
        successThreshold_(successThreshold),
        failureWindow_(failureWindow > failureThreshold ? failureWindow : failureThreshold) {}

  // Feeds one run's outcome; returns whether it fired or resolved the alert.
  AlertTransition record(bool passed);

  // Carries state across a restart: the failures in a row are all that was saved.
  void restore(bool firing, int consecutiveFailures);
  // Carries state across a reload that changed the check: its recent runs too, judged from the
  // next run on by this state's thresholds and window.
  void carryOver(const AlertState& before);

  bool firing() const { return firing_; }
  int consecutiveFailures() const { return consecutiveFailures_; }
  int consecutiveSuccesses() const { return consecutiveSuccesses_; }
  // Failed runs among the last failure_window (since the last resolve).
  int failuresInWindow() const;

 private:
  bool windowed() const { return failureWindow_ > failureThreshold_; }

  int failureThreshold_;
  int successThreshold_;
  int failureWindow_;
  bool firing_ = false;
  int consecutiveFailures_ = 0;
  int consecutiveSuccesses_ = 0;
  // The latest runs, newest in the lowest bit, 1 for a failure; cleared when the alert
  // resolves, so the failures that fired it do not fire it again at the next one.
  std::uint64_t recentFailures_ = 0;
};

std::ostream& operator<<(std::ostream& out, AlertTransition transition);

}  // namespace prober
