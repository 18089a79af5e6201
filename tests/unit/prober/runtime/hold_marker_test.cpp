// The hold marker on its own: what it writes on each check (silenced by what) follows the
// silences as they come, end, and come back when the wall clock steps back into one; a
// silence added with no word to the marker is marked at the next request all the same.
#include "prober/runtime/hold_marker.h"

#include <doctest/doctest.h>

#include "tests/fakes/page_holds_on_disk.h"
#include "tests/fakes/set_clock.h"

namespace {

std::shared_ptr<const prober::CheckSpec> spec(const std::string& name) {
  auto made = std::make_shared<prober::CheckSpec>();
  made->name = name;
  return made;
}

struct Harness {
  Harness() {
    checks.apply({spec("api"), spec("web")});
    marker.markAll();
  }
  void silence(const std::string& check, const std::string& duration) {
    onDisk.silence(clock, check, duration);
  }
  bool silenced(const std::string& check) { return checks.find(check)->silenced(); }
  // Moves both clocks on and lets a request read the marks.
  void after(std::int64_t ms) {
    clock.wallMs += ms;
    clock.steadyMs += ms;
    marker.refresh();
  }

  prober::testing::SetClock clock{1'800'000'000'000};
  prober::testing::PageHoldsOnDisk onDisk{"hold-marker"};
  prober::HoldPolicy policy{onDisk.holds(), clock, [](const std::string&) { return false; }};
  prober::CheckSet checks;
  prober::HoldMarker marker{checks, policy, clock};
};

}  // namespace

TEST_CASE("hold marker: a silence added with no word to the marker is marked at the next read") {
  Harness h;
  h.clock.steadyMs = 0;
  CHECK_FALSE(h.silenced("api"));
  h.silence("api", "5m");
  h.after(10);  // sooner than a second: only a change to the holds makes it mark again
  CHECK(h.silenced("api"));
  CHECK_FALSE(h.silenced("web"));
}

TEST_CASE("hold marker: an ended silence unmarks; a wall clock stepped back into it marks again") {
  Harness h;
  h.clock.steadyMs = 0;
  h.silence("api", "5m");
  h.after(1000);
  CHECK(h.silenced("api"));
  h.after(6 * 60'000);  // ended: no longer marked
  CHECK_FALSE(h.silenced("api"));
  // Another silence, on web: every check is marked again, and api, whose silence has ended, is
  // no longer among those the once-a-second marking looks at.
  h.silence("web", "1h");
  h.after(2000);
  CHECK_FALSE(h.silenced("api"));
  CHECK(h.silenced("web"));
  // The wall clock steps back two minutes into the silence (steady time goes on): it holds
  // again (HoldPolicy says so for pages), and the marks must say so too.
  h.clock.wallMs -= 3 * 60'000;
  h.after(1500);
  CHECK(h.silenced("api"));
  CHECK(h.silenced("web"));
}

namespace {

// A clock whose wall reading moves on by `tick` each time it is read: the reads one marking
// makes fall on both sides of a silence's end.
class TickingClock final : public prober::Clock {
 public:
  mutable std::int64_t wallMs = 1'800'000'000'000;
  std::int64_t steadyMs = 0;
  std::int64_t tick = 0;
  prober::SteadyTime now() const override {
    return prober::SteadyTime(std::chrono::milliseconds(steadyMs));
  }
  std::chrono::system_clock::time_point wallNow() const override {
    const std::int64_t read = wallMs;
    wallMs += tick;
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(read));
  }
};

}  // namespace

TEST_CASE("hold marker: a silence ending while every check is marked is not left shown") {
  // However the marking's reads of the clock fall around the silence's end, a second later the
  // check shows not silenced.
  for (std::int64_t before = 1; before <= 12; ++before) {
    CAPTURE(before);
    TickingClock clock;
    prober::testing::PageHoldsOnDisk onDisk("hold-marker-tick");
    prober::HoldPolicy policy{onDisk.holds(), clock, [](const std::string&) { return false; }};
    prober::CheckSet checks;
    checks.apply({spec("api"), spec("web")});
    prober::HoldMarker marker{checks, policy, clock};
    const std::int64_t end = clock.wallMs + 5 * 60'000;
    onDisk.silence(clock, "api", "5m");
    marker.markAll();
    REQUIRE(checks.find("api")->silenced());
    // Just before the end, another silence makes every check be marked again, the clock moving
    // a millisecond a read.
    clock.wallMs = end - before;
    clock.tick = 1;
    onDisk.silence(clock, "web", "1h");
    marker.refresh();
    clock.tick = 0;
    clock.wallMs = end + 2000;
    clock.steadyMs += 2000;
    marker.refresh();
    CHECK_FALSE(checks.find("api")->silenced());
  }
}
