// The alert state machine, table by table: runs in, transitions out.
#include <doctest/doctest.h>

#include <string>

#include "alerting/alert_state.h"

namespace {

// Feeds "FFP..." (F failed, P passed); returns one letter per run: . none, ! fire, ^ resolve.
std::string feed(int failureThreshold, int successThreshold, const std::string& runs) {
  prober::AlertState state(failureThreshold, successThreshold);
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
