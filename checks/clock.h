#pragma once
// Time, injected: a clock, re-armable timers and a factory for them, and the way back onto the
// event loop. Production wraps Asio (prober/runtime/asio_timer.h); tests drive time by hand
// (tests/fakes/), so "page after 3 failures at 30 s" runs in microseconds. No Asio here: every
// floor that needs time takes these.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace prober {

using SteadyTime = std::chrono::steady_clock::time_point;
using SteadyDuration = std::chrono::steady_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  // Never steps: durations, pacing, backoff and reminders are measured on it.
  virtual SteadyTime now() const = 0;
  // May step (NTP, a VM resumed): what people read, and what is stored. Called from other
  // threads too (the history's retention): implementations are thread-safe.
  virtual std::chrono::system_clock::time_point wallNow() const = 0;
};

// The wall clock in Unix milliseconds, and the steady clock in milliseconds of its own epoch.
std::int64_t wallMs(const Clock& clock);
std::int64_t steadyMs(const Clock& clock);

// One re-armable timer: arming again replaces the previous deadline.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void armAt(SteadyTime deadline, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
  // A hint, after armAt(): the wake after this one will likely be armed at `deadline`, with the
  // same function. A timer may get ready for it now when that is cheaper than arming it then;
  // armAt() at any other time, or cancel(), forgets it. Ignoring the hint is always correct.
  virtual void expectNext(SteadyTime deadline) { (void)deadline; }
};

// Makes timers on the loop; a piece that needs timers takes this and owns what it makes.
using TimerFactory = std::function<std::unique_ptr<Timer>()>;

// Runs a function later on the event loop (an Asio post in production, a queue in tests).
using PostToLoop = std::function<void(std::function<void()>)>;

class SystemClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::now();
  }
};

// The system's clocks, for code that is not given one (a command-line tool, a benchmark).
const Clock& systemClock();

// A timer for a wall time (a silence's end, a retry stored as Unix ms). It is armed in steady
// time at most kWallCheckEvery ahead: the wall clock may step, and a timer armed for the whole
// distance would miss an end the step brought nearer. Whoever it wakes early finds nothing due
// and arms it again.
class WallTimer {
 public:
  static constexpr std::chrono::seconds kWallCheckEvery{10};

  WallTimer(const Clock& clock, std::unique_ptr<Timer> timer)
      : clock_(clock), timer_(std::move(timer)) {}
  // Fires at `atMs` on the wall clock (at once when it has passed); replaces the earlier arming.
  void armAtWall(std::int64_t atMs, std::function<void()> fire);
  // Fires after `delay` of steady time.
  void armIn(std::chrono::milliseconds delay, std::function<void()> fire);
  void cancel();
  // The wall time armed for (armAtWall), -1 when not armed that way: what it waits for.
  std::int64_t armedForWallMs() const { return armedForMs_; }

 private:
  const Clock& clock_;
  std::unique_ptr<Timer> timer_;
  std::int64_t armedForMs_ = -1;
};

}  // namespace prober
