#pragma once
// Time as the scheduler sees it: injected, so tests run hours of schedule in microseconds.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace prober {

using SteadyTime = std::chrono::steady_clock::time_point;
using SteadyDuration = std::chrono::steady_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime now() const = 0;
  virtual std::chrono::system_clock::time_point wallNow() const = 0;
};

// One re-armable timer: arming again replaces the previous deadline.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void armAt(SteadyTime deadline, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
};

class SystemClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::now();
  }
};

// A Timer on an Asio steady_timer.
class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io);
  ~AsioTimer() override;
  void armAt(SteadyTime deadline, std::function<void()> fire) override;
  void cancel() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Test clock and timer: nothing happens until advance() moves time and fires what is due.
class ManualClock final : public Clock, public Timer {
 public:
  SteadyTime now() const override { return now_; }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(now_.time_since_epoch()));
  }
  void armAt(SteadyTime deadline, std::function<void()> fire) override {
    deadline_ = deadline;
    fire_ = std::move(fire);
    armed_ = true;
  }
  void cancel() override { armed_ = false; }

  // Moves time forward to `until`, firing the timer at each deadline on the way.
  void advance(SteadyDuration by) {
    const SteadyTime until = now_ + by;
    while (armed_ && deadline_ <= until) {
      now_ = std::max(now_, deadline_);
      armed_ = false;
      auto fire = std::move(fire_);
      fire();
    }
    now_ = until;
  }

 private:
  SteadyTime now_{std::chrono::hours(1)};
  SteadyTime deadline_{};
  std::function<void()> fire_;
  bool armed_ = false;
};

}  // namespace prober
