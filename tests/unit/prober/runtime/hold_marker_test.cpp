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
