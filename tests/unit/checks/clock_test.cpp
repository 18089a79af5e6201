// A timer for a wall time arms in steady time, never further than kWallCheckEvery ahead, so a
// wall clock that steps cannot make it miss its moment; what it waits for is readable.
#include <doctest/doctest.h>

#include <optional>

#include "checks/clock.h"
#include "tests/fakes/set_clock.h"

namespace {

// Remembers the steady deadline it was last armed at, and fires when the test says.
struct RecordingTimer final : prober::Timer {
  std::optional<prober::SteadyTime>* armedAt;
  std::function<void()>* fire;
  RecordingTimer(std::optional<prober::SteadyTime>* at, std::function<void()>* f)
      : armedAt(at), fire(f) {}
  void armAt(prober::SteadyTime deadline, std::function<void()> f) override {
    *armedAt = deadline;
    *fire = std::move(f);
  }
  void cancel() override { armedAt->reset(); }
};

struct Harness {
  prober::testing::SetClock clock{1'700'000'000'000};
  std::optional<prober::SteadyTime> armedAt;
  std::function<void()> fire;
  prober::WallTimer timer{clock, std::make_unique<RecordingTimer>(&armedAt, &fire)};
  std::int64_t waitMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(*armedAt - clock.now()).count();
  }
};

}  // namespace

TEST_CASE("a wall timer waits the distance when near, kWallCheckEvery when far, none when past") {
  Harness h;
  int fired = 0;
  h.timer.armAtWall(h.clock.wallMs + 4'000, [&] { ++fired; });
  REQUIRE(h.armedAt);
  CHECK(h.waitMs() == 4'000);
  CHECK(h.timer.armedForWallMs() == h.clock.wallMs + 4'000);

  h.timer.armAtWall(h.clock.wallMs + 3'600'000, [&] { ++fired; });  // replaces the first
  CHECK(h.waitMs() == 10'000);
  CHECK(h.timer.armedForWallMs() == h.clock.wallMs + 3'600'000);

  h.timer.armAtWall(h.clock.wallMs - 5'000, [&] { ++fired; });
  CHECK(h.waitMs() == 0);
  h.fire();
  CHECK(fired == 1);
  CHECK(h.timer.armedForWallMs() == -1);  // fired: it waits for nothing
}

TEST_CASE("a wall timer reads the steady clock for its deadline, the wall clock for the wait") {
  Harness h;
  h.clock.steadyMs = 500;  // steady and wall clocks far apart, as on any real machine
  h.timer.armAtWall(h.clock.wallMs + 2'000, [] {});
  CHECK(*h.armedAt == prober::SteadyTime(std::chrono::milliseconds(2'500)));
  h.timer.armIn(std::chrono::milliseconds(700), [] {});
  CHECK(*h.armedAt == prober::SteadyTime(std::chrono::milliseconds(1'200)));
  CHECK(h.timer.armedForWallMs() == -1);
  h.timer.cancel();
  CHECK_FALSE(h.armedAt);
}

TEST_CASE("the clocks in milliseconds") {
  prober::testing::SetClock clock{1'700'000'000'123};
  clock.steadyMs = 42;
  CHECK(prober::wallMs(clock) == 1'700'000'000'123);
  CHECK(prober::steadyMs(clock) == 42);
  const auto system = prober::wallMs(prober::systemClock());
  CHECK(system > 1'700'000'000'000);  // the system clock reads today, not its epoch
}
