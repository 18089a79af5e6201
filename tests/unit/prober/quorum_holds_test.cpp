// Checks with page = "quorum" page nobody from this instance: Prometheus counts the locations
// that see them failing (examples/quorum/rules.yml) and leaves out a location that holds the
// check's pages. So their holds are exported as every check's are: a maintenance window, a
// silence and Slack's mute set prober_check_silenced, a firing depends_on parent sets
// prober_check_suppressed, and the instance still sends nothing.
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace std::chrono_literals;
using namespace prober::testing;

const std::string kQuorum = "page = \"quorum\"\n";

}  // namespace

TEST_CASE("quorum checks: a silence and Slack's mute set prober_check_silenced; nothing pages") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api", kQuorum) + check("web", kQuorum) +
          check("db", kQuorum) + kSlackCommand);
  REQUIRE(h.request("POST", "/api/v1/silences", R"({"checks":["api"],"duration":"1h"})",
                  {{"content-type", "application/json"}})
              .status == 201);
  REQUIRE(h.slashCommand("mute web 2h deploy").status == 200);
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
    h.run("web.test", 503);
    h.run("db.test", 503);
  }
  CHECK(h.transport.sent.empty());  // Prometheus and Alertmanager page for quorum checks
  for (const char* name : {"api", "web", "db"}) {
    INFO(name);
    CHECK(h.metric("prober_alert_firing", name) == "1");
    CHECK(h.metric("prober_check_suppressed", name) == "0");
  }
  CHECK(h.metric("prober_check_silenced", "api") == "1");
  CHECK(h.metric("prober_check_silenced", "web") == "1");
  CHECK(h.metric("prober_check_silenced", "db") == "0");
  CHECK(std::string(h.checkJson("web").at("silenced_by").as_string())
            .starts_with("silence 2 by ann (U1) via Slack"));

  // The silence ends: the mark goes with it, and still nothing is sent from here.
  CHECK(h.request("DELETE", "/api/v1/silences/1").status == 204);
  CHECK(h.metric("prober_check_silenced", "api") == "0");
  CHECK(h.metric("prober_check_silenced", "web") == "1");
  CHECK(h.transport.sent.empty());
}

TEST_CASE("quorum checks: a maintenance window sets prober_check_silenced while it lasts") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api", kQuorum) + R"(
[[maintenance]]
name = "deploy"
checks = ["api"]
start = "1970-01-01T01:05:00Z"
duration = "10m"
)");
  CHECK(h.metric("prober_check_silenced", "api") == "0");  // 01:00, before the window
  for (int i = 0; i < 12; ++i) {  // 30 s apart: 01:06 and inside the window
    h.run("api.test", 503);
  }
  CHECK(h.metric("prober_alert_firing", "api") == "1");
  CHECK(h.metric("prober_check_silenced", "api") == "1");
  CHECK(h.checkJson("api").at("silenced_by") ==
        "maintenance deploy until 1970-01-01 01:15:00 UTC");
  for (int i = 0; i < 20; ++i) {  // past 01:15
    h.run("api.test", 503);
  }
  CHECK(h.metric("prober_check_silenced", "api") == "0");
  CHECK(h.transport.sent.empty());
}

TEST_CASE("quorum checks: a firing depends_on parent sets prober_check_suppressed") {
  StateDir dir;
  DaemonHarness h(dir);
  // core is a quorum check too; lb pages locally. Both hold their children here.
  h.start(std::string(kNotifier) + check("core", kQuorum) + check("lb") +
          check("edge", kQuorum + "depends_on = [\"core\"]\n") +
          check("cdn", kQuorum + "depends_on = [\"lb\"]\n"));
  for (int i = 0; i < 3; ++i) {
    h.run("core.test", 503);
    h.run("lb.test", 503);
    h.run("edge.test", 503);
    h.run("cdn.test", 503);
  }
  CHECK(h.pages() == Pages{"trigger prober:lb"});  // lb alone pages from here
  h.transport.answer(202);
  CHECK(h.metric("prober_check_suppressed", "edge") == "1");
  CHECK(h.metric("prober_check_suppressed", "cdn") == "1");
  CHECK(h.metric("prober_check_suppressed", "core") == "0");
  CHECK(h.checkJson("edge").at("suppressed_by") == boost::json::array{"core"});

  h.run("core.test", 200);  // success_threshold 1: core resolves, edge still fails
  h.clock.advance(2s);      // the marks are redone at most once a second
  CHECK(h.metric("prober_check_suppressed", "edge") == "0");
  CHECK(h.metric("prober_check_suppressed", "cdn") == "1");
  CHECK(h.metric("prober_alert_firing", "edge") == "1");
  CHECK(h.transport.sent.empty());  // edge's trigger is not sent from here
}
