#pragma once
// Simulated time for tests: a clock and as many timers as the code under test asks for;
// nothing happens until advance() moves time, firing every due timer in deadline order. "Page
// after 3 failures at 30 s" runs in microseconds and no test sleeps.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <atomic>

#include "checks/clock.h"

namespace prober::testing {

class ManualClock final : public Clock, public Timer {
 public:
  ManualClock() : own_(std::make_shared<Armed>()) { timers_.push_back(own_); }

  SteadyTime now() const override { return now_.load(); }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::time_point(
               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                   now_.load().time_since_epoch())) +
           wallOffset_.load();
  }
  // The wall clock steps (NTP, a VM resumed) while steady time goes on: every later wallNow()
  // is `by` away from where it would have been. Negative steps it back.
  void jumpWall(std::chrono::system_clock::duration by) { wallOffset_ = wallOffset_.load() + by; }

  // The clock is itself one timer (for code that takes a single Timer)...
  void armAt(SteadyTime deadline, std::function<void()> fire) override {
    own_->arm(deadline, std::move(fire));
  }
  void cancel() override { own_->armed = false; }

  // ...and makes more, all driven by advance().
  std::unique_ptr<Timer> newTimer() {
    auto state = std::make_shared<Armed>();
    timers_.push_back(state);
    return std::make_unique<ManualTimer>(state);
  }

  // Moves time forward by `by`, firing each timer at its deadline on the way, earliest first
  // (a timer re-armed by a firing one fires again if its new deadline is still within reach).
  // Returns how many fired; at most `limit`, so a timer that re-arms itself at "now" cannot
  // loop forever.
  int advance(SteadyDuration by, int limit = 1'000'000) {
    const SteadyTime until = now_.load() + by;
    int fired = 0;
    while (fired < limit) {
      std::shared_ptr<Armed> next;
      std::erase_if(timers_, [](const std::weak_ptr<Armed>& t) { return t.expired(); });
      for (const auto& weak : timers_) {
        auto timer = weak.lock();
        if (timer && timer->armed && timer->deadline <= until &&
            (!next || timer->deadline < next->deadline)) {
          next = timer;
        }
      }
      if (!next) {
        break;
      }
      now_ = std::max(now_.load(), next->deadline);
      next->armed = false;
      auto fire = std::move(next->fire);
      ++fired;
      fire();
    }
    now_ = std::max(now_.load(), until);
    return fired;
  }

  // The earliest deadline of an armed timer; nullopt when none is armed. A simulation moves
  // time straight to it instead of a second at a time.
  std::optional<SteadyTime> nextDeadline() const {
    std::optional<SteadyTime> next;
    for (const auto& weak : timers_) {
      auto timer = weak.lock();
      if (timer && timer->armed && (!next || timer->deadline < *next)) {
        next = timer->deadline;
      }
    }
    return next;
  }

  int armedTimers() const {
    return static_cast<int>(std::count_if(timers_.begin(), timers_.end(), [](const auto& weak) {
      auto timer = weak.lock();
      return timer && timer->armed;
    }));
  }

 private:
  struct Armed {
    SteadyTime deadline{};
    std::function<void()> fire;
    bool armed = false;
    void arm(SteadyTime at, std::function<void()> f) {
      deadline = at;
      fire = std::move(f);
      armed = true;
    }
  };
  class ManualTimer final : public Timer {
   public:
    explicit ManualTimer(std::shared_ptr<Armed> state) : state_(std::move(state)) {}
    void armAt(SteadyTime deadline, std::function<void()> fire) override {
      state_->arm(deadline, std::move(fire));
    }
    void cancel() override { state_->armed = false; }

   private:
    std::shared_ptr<Armed> state_;
  };

  // Atomic: the history's thread reads the wall time too (retention), while the test moves it.
  std::atomic<SteadyTime> now_{SteadyTime(std::chrono::hours(1))};
  std::atomic<std::chrono::system_clock::duration> wallOffset_{};
  std::shared_ptr<Armed> own_;
  std::vector<std::weak_ptr<Armed>> timers_;
};

}  // namespace prober::testing
