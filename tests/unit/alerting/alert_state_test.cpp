// The alert state machine, table by table: runs in, transitions out.
#include <doctest/doctest.h>

#include <string>

#include "alerting/alert_state.h"

namespace {

// Feeds "FFP..." (F failed, P passed); returns one letter per run: . none, ! fire, ^ resolve.
std::string feed(prober::AlertState& state, const std::string& runs) {
  std::string out;
  for (char run : runs) {
    switch (state.record(run == 'P')) {
      case prober::AlertTransition::None: out += '.'; break;
      case prober::AlertTransition::Fire: out += '!'; break;
      case prober::AlertTransition::Resolve: out += '^'; break;
    }
  }
  return out;
}

std::string feed(int failureThreshold, int successThreshold, const std::string& runs,
                 int failureWindow = 0) {
  prober::AlertState state(failureThreshold, successThreshold, failureWindow);
  return feed(state, runs);
}

}  // namespace

TEST_CASE("fires at exactly the failure threshold and resolves at the success threshold") {
  CHECK(feed(3, 1, "FFFFFP") == "..!..^");
  CHECK(feed(3, 1, "PPFFFFP") == "....!.^");
  CHECK(feed(3, 2, "FFFPPFPP") == "..!.^...");
  CHECK(feed(3, 2, "FFFPFPP") == "..!...^");
}

TEST_CASE("flapping never fires below the threshold") {
  CHECK(feed(3, 1, "FFPFFPFFPFFP") == "............");
  CHECK(feed(2, 1, "FPFPFPFP") == "........");
}

TEST_CASE("threshold 1 fires on the first failure and resolves on the first pass") {
  CHECK(feed(1, 1, "FFPF") == "!.^!");
}

TEST_CASE("a check that fails from its very first run fires after N") {
  prober::AlertState state(3, 1);
  CHECK(state.record(false) == prober::AlertTransition::None);
  CHECK(state.record(false) == prober::AlertTransition::None);
  CHECK(state.record(false) == prober::AlertTransition::Fire);
  CHECK(state.firing());
  CHECK(state.consecutiveFailures() == 3);
  CHECK(state.record(false) == prober::AlertTransition::None);
  CHECK(state.consecutiveFailures() == 4);
  CHECK(state.record(true) == prober::AlertTransition::Resolve);
  CHECK_FALSE(state.firing());
  CHECK(state.consecutiveFailures() == 0);
}

TEST_CASE("passes while not firing never resolve anything") {
  CHECK(feed(3, 1, "PPPP") == "....");
}

TEST_CASE("failure_window: N of the last M runs fire, with passes between") {
  // 3 of the last 5: one bad backend behind a load balancer.
  CHECK(feed(3, 1, "FPFPF", 5) == "....!");
  CHECK(feed(3, 1, "FPFPPF", 5) == "......");    // the first failure left the window
  CHECK(feed(3, 1, "FPFPPFF", 5) == "......!");  // F P P F F: 3 of the last 5
  CHECK(feed(3, 1, "FFF", 5) == "..!");          // in a row is still 3 of 5
  // The same runs without a window never fire (failures in a row only).
  CHECK(feed(3, 1, "FPFPFPFPF") == ".........");
  CHECK(feed(3, 1, "FPFPFPFPF", 5) == "....!^...");  // after the resolve: 2 of 5
}

TEST_CASE("failure_window: a window no wider than the threshold means in a row") {
  CHECK(feed(3, 1, "FPFPF", 3) == ".....");
  CHECK(feed(3, 1, "FPFPF", 2) == ".....");  // narrower than the threshold: the threshold
  CHECK(feed(3, 1, "FFF", 3) == "..!");
}

TEST_CASE("failure_window: resolving takes success_threshold passes in a row and clears it") {
  CHECK(feed(2, 2, "FPFPPF", 4) == "..!.^.");  // after the resolve the old failures are gone
  CHECK(feed(2, 2, "FPFPPFPF", 4) == "..!.^..!");
  CHECK(feed(2, 2, "FPFPFPP", 4) == "..!...^");  // a failure between passes restarts the count
}

TEST_CASE("failure_window: the widest window, 64 runs") {
  // A failure 63 runs before the last one is the 64th run back: still inside.
  CHECK(feed(2, 1, "F" + std::string(62, 'P') + "F", 64).back() == '!');
  // 64 runs before the last: outside.
  CHECK(feed(2, 1, "F" + std::string(63, 'P') + "F", 64).find('!') == std::string::npos);
}

TEST_CASE("failure_window: a reload that changes the window keeps the recent runs") {
  prober::AlertState before(3, 1, 5);
  CHECK(feed(before, "FPFP") == "....");
  prober::AlertState wider(3, 1, 6);
  wider.carryOver(before);
  CHECK(wider.failuresInWindow() == 2);
  CHECK(feed(wider, "F") == "!");  // F P F P F: 3 of the last 6
  prober::AlertState inARow(3, 1);
  inARow.carryOver(before);
  CHECK(feed(inARow, "F") == ".");  // now only failures in a row count: just 1
}

TEST_CASE("failure_window: after a restart the saved failures in a row are the window") {
  prober::AlertState state(3, 1, 5);
  state.restore(false, 2);
  CHECK(state.failuresInWindow() == 2);
  CHECK(feed(state, "PF") == ".!");  // F F P F within the last 5
}
