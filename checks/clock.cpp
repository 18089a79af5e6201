#include "checks/clock.h"

#include <algorithm>

namespace prober {

std::int64_t wallMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.wallNow().time_since_epoch())
      .count();
}

std::int64_t steadyMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
      .count();
}

const Clock& systemClock() {
  static const SystemClock clock;
  return clock;
}

void WallTimer::armAtWall(std::int64_t atMs, std::function<void()> fire) {
  armedForMs_ = atMs;
  const auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, atMs - wallMs(clock_)));
  timer_->armAt(clock_.now() + std::min<SteadyDuration>(wait, kWallCheckEvery),
                [this, fire = std::move(fire)] {
                  armedForMs_ = -1;
                  fire();
                });
}

void WallTimer::armIn(std::chrono::milliseconds delay, std::function<void()> fire) {
  armedForMs_ = -1;
  timer_->armAt(clock_.now() + delay, std::move(fire));
}

void WallTimer::cancel() {
  armedForMs_ = -1;
  timer_->cancel();
}

}  // namespace prober
