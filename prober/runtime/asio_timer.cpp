#include "prober/runtime/asio_timer.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

namespace prober {

// Two Asio timers take turns. Asio keeps one kernel timer for the whole loop: it sets it once
// after a wake, to the earliest deadline then queued, and again whenever a new deadline becomes
// the earliest. A timer re-armed from its own handler (the scheduler's, every few milliseconds
// under load) therefore costs two timerfd_settime calls a wake; with the next deadline already
// queued on the other timer (expectNext), the first call is the only one.
//
// Asio cannot take back a handler already queued to run (its deadline passed in the same
// wake): cancelling leaves it to run as if on time. So each wait carries the number of its
// arming, and only the wait of the current timer's latest arming fires; handlers hold the
// state weakly, so a timer destroyed with one queued is not touched.
struct AsioTimer::Impl {
  struct Turns {
    std::function<void()> fire;
    int current = 0;
    std::uint64_t armings[2] = {0, 0};
  };

  explicit Impl(boost::asio::io_context& io)
      : timers{boost::asio::steady_timer(io), boost::asio::steady_timer(io)} {}

  boost::asio::steady_timer& current() { return timers[turns->current]; }
  boost::asio::steady_timer& spare() { return timers[1 - turns->current]; }

  // Arms timer `index` (whose wait is then the only one of it that may fire).
  void armTimer(int index, SteadyTime deadline) {
    const std::uint64_t arming = ++turns->armings[index];
    timers[index].expires_at(deadline);  // cancels the previous wait
    timers[index].async_wait(
        [weak = std::weak_ptr<Turns>(turns), index, arming](const boost::system::error_code& ec) {
          const auto state = weak.lock();
          if (ec || !state || state->current != index || state->armings[index] != arming) {
            return;  // cancelled, re-armed, not taken up, or the timer is gone
          }
          const auto fire = state->fire;  // it may re-arm, replacing `fire`
          fire();
        });
  }

  // Stops timer `index`: a wait of it already queued does not fire.
  void stopTimer(int index) {
    ++turns->armings[index];
    timers[index].cancel();
  }

  void forgetSpare() {
    if (spareArmed) {
      stopTimer(1 - turns->current);
      spareArmed = false;
    }
  }

  boost::asio::steady_timer timers[2];
  std::shared_ptr<Turns> turns = std::make_shared<Turns>();
  bool spareArmed = false;  // the spare waits for the deadline expectNext() was told
};

AsioTimer::AsioTimer(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
AsioTimer::~AsioTimer() = default;

void AsioTimer::armAt(SteadyTime deadline, std::function<void()> fire) {
  impl_->turns->fire = std::move(fire);
  if (impl_->spareArmed && impl_->spare().expiry() == deadline) {
    impl_->stopTimer(impl_->turns->current);            // its wait, if this comes before it fired
    impl_->turns->current = 1 - impl_->turns->current;  // already waiting: nothing to ask
    impl_->spareArmed = false;
    return;
  }
  impl_->forgetSpare();
  impl_->armTimer(impl_->turns->current, deadline);
}

void AsioTimer::expectNext(SteadyTime deadline) {
  if (deadline <= impl_->current().expiry()) {
    return;
  }
  impl_->armTimer(1 - impl_->turns->current, deadline);
  impl_->spareArmed = true;
}

void AsioTimer::cancel() {
  impl_->stopTimer(impl_->turns->current);
  impl_->forgetSpare();
}

}  // namespace prober
