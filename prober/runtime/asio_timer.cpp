#include "prober/runtime/asio_timer.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <utility>

namespace prober {

// Two Asio timers take turns. Asio keeps one kernel timer for the whole loop: it sets it once
// after a wake, to the earliest deadline then queued, and again whenever a new deadline becomes
// the earliest. A timer re-armed from its own handler (the scheduler's, every few milliseconds
// under load) therefore costs two timerfd_settime calls a wake; with the next deadline already
// queued on the other timer (expectNext), the first call is the only one.
struct AsioTimer::Impl {
  explicit Impl(boost::asio::io_context& io)
      : timers{boost::asio::steady_timer(io), boost::asio::steady_timer(io)} {}

  boost::asio::steady_timer& current() { return timers[currentIndex]; }
  boost::asio::steady_timer& spare() { return timers[1 - currentIndex]; }

  void wait(boost::asio::steady_timer& timer) {
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {  // cancelled, re-armed or destroyed otherwise: nothing of `this` is touched
        fire();
      }
    });
  }

  void forgetSpare() {
    if (spareArmed) {
      spare().cancel();
      spareArmed = false;
    }
  }

  boost::asio::steady_timer timers[2];
  int currentIndex = 0;
  bool spareArmed = false;  // the spare waits for the deadline expectNext() was told
  std::function<void()> fire;
};

AsioTimer::AsioTimer(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
AsioTimer::~AsioTimer() = default;

void AsioTimer::armAt(SteadyTime deadline, std::function<void()> fire) {
  impl_->fire = std::move(fire);
  if (impl_->spareArmed && impl_->spare().expiry() == deadline) {
    impl_->current().cancel();                      // its wait, if this comes before it fired
    impl_->currentIndex = 1 - impl_->currentIndex;  // already waiting: nothing to ask the kernel
    impl_->spareArmed = false;
    return;
  }
  impl_->forgetSpare();
  impl_->current().expires_at(deadline);  // cancels the previous wait
  impl_->wait(impl_->current());
}

void AsioTimer::expectNext(SteadyTime deadline) {
  if (deadline <= impl_->current().expiry()) {
    return;
  }
  impl_->spare().expires_at(deadline);
  impl_->wait(impl_->spare());
  impl_->spareArmed = true;
}

void AsioTimer::cancel() {
  impl_->current().cancel();
  impl_->forgetSpare();
}

}  // namespace prober
