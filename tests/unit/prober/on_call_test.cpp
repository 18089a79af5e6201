// On-call semantics (SPEC section 11) in the whole daemon, in simulated time: failure_window,
// retry_interval, degraded runs, depends_on, maintenance windows, silences and renotify.
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace std::chrono_literals;
using namespace prober::testing;
using Harness = DaemonHarness;

}  // namespace

TEST_CASE("daemon: failure_window pages on 3 failures of the last 5, passes between") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api", "failure_window = 5\n"));
  for (int status : {503, 200, 503, 200}) {
    h.run("api.test", status);
  }
  CHECK(h.pages().empty());
  h.run("api.test", 503);
  REQUIRE(h.pages() == Pages{"trigger prober:api"});
  h.transport.answer(202);
  h.run("api.test", 200);  // success_threshold 1
  REQUIRE(h.pages() == Pages{"resolve prober:api"});
  h.transport.answer(202);
  // The failures that fired it are gone: two more of five do not page again.
  for (int status : {503, 200, 503, 200}) {
    h.run("api.test", status);
  }
  CHECK(h.pages().empty());
}

TEST_CASE("daemon: a reload that widens failure_window keeps the recent runs") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api", "failure_window = 4\n"));
  for (int status : {503, 200, 200, 503}) {  // 2 of the last 4
    h.run("api.test", status);
  }
  h.configText = std::string(kNotifier) + check("api", "failure_window = 6\n");
  CHECK(h.request("POST", "/-/reload").status == 200);
  h.run("api.test", 503);  // F P P F F: 3 of the last 6 (of 4 it would be 2)
  REQUIRE(h.pages() == Pages{"trigger prober:api"});
}

TEST_CASE("daemon: retry_interval confirms a failure sooner, then runs at interval again") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api", "retry_interval = \"5s\"\ntimeout = \"2s\"\n"));
  const auto first = h.run("api.test", 503);
  const auto second = h.run("api.test", 503);
  CHECK(second - first == 5s);
  const auto third = h.run("api.test", 503);
  CHECK(third - second == 5s);
  REQUIRE(h.pages() == Pages{"trigger prober:api"});  // 10 s after the first failure, not 60
  h.transport.answer(202);
  // Firing: back on its 30 s slots, the same ones as before the retries.
  const auto fourth = h.run("api.test", 503);
  CHECK(fourth - first == 30s);
  const auto fifth = h.run("api.test", 200);
  CHECK(fifth - fourth == 30s);
  REQUIRE(h.pages() == Pages{"resolve prober:api"});
  h.transport.answer(202);
  // A pass keeps the interval; one failure retries, a pass after it returns to the slots.
  const auto sixth = h.run("api.test", 503);
  CHECK(sixth - fifth == 30s);
  const auto seventh = h.run("api.test", 200);
  CHECK(seventh - sixth == 5s);
  const auto eighth = h.run("api.test", 200);
  CHECK(eighth - first == 120s);
  CHECK(h.pages().empty());
}
