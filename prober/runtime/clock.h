#pragma once
// Time as the scheduler sees it: injected, so tests run hours of schedule in microseconds.
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
  // Called from other threads too (the history's retention): implementations are thread-safe.
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

// Runs a function later on the event loop (an Asio post in production, a queue in tests).
using PostToLoop = std::function<void(std::function<void()>)>;

// Tests drive time with tests/fakes/manual_clock.h.

}  // namespace prober
