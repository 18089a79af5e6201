#pragma once
// A clock the test sets by hand, field by field, and timers that only remember what they were
// armed for: nothing fires by itself, so a unit test of one piece (the pager, the alerter)
// calls what a wake-up would (poll(), releaseHeld()) when it chooses, and asks the piece when
// it asked to be woken. tests/fakes/manual_clock.h is the one whose timers fire.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "checks/clock.h"

namespace prober::testing {

class SetClock final : public Clock {
 public:
  SetClock() = default;
  explicit SetClock(std::int64_t startWallMs) : wallMs(startWallMs) {}

  std::int64_t wallMs = 1'000'000;  // Unix milliseconds
  std::int64_t steadyMs = -1;       // -1: the steady clock reads the wall clock

  SteadyTime now() const override {
    return SteadyTime(std::chrono::milliseconds(steadyMs >= 0 ? steadyMs : wallMs));
  }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(wallMs));
  }

  // Timers that keep their deadline and never fire.
  TimerFactory timers() const {
    return [] { return std::make_unique<InertTimer>(); };
  }

 private:
  class InertTimer final : public Timer {
   public:
    void armAt(SteadyTime, std::function<void()>) override {}
    void cancel() override {}
  };
};

}  // namespace prober::testing
