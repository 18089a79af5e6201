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

namespace {

// 1970-01-01 at HH:MM:SS UTC: the manual clock's wall time starts at 01:00:00.
std::chrono::system_clock::time_point wallAt(int hour, int minute, int second = 0) {
  return std::chrono::system_clock::time_point(
      std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second));
}

// Answers every probe of `url` with `status` until the wall clock reaches `until`.
int runUntil(DaemonHarness& h, const std::string& url, int status,
             std::chrono::system_clock::time_point until) {
  int runs = 0;
  for (int i = 0; i < 1000 && h.clock.wallNow() < until; ++i) {
    h.run(url, status);
    ++runs;
  }
  return runs;
}

// The `event_action dedup_key` of every page sent and not yet answered, answering each 202.
Pages takePages(DaemonHarness& h) {
  Pages out = h.pages();
  while (!h.transport.sent.empty()) {
    h.transport.answer(202);
  }
  return out;
}

}  // namespace

TEST_CASE("daemon: degraded runs send a warning of their own; a failed run is not degraded") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + R"(
[[check]]
name = "api"
url = "http://api.test/"
interval = "30s"
failure_threshold = 3
notify = ["pd"]
assert = ["status < 300"]
degraded = ["status == 200"]
)");
  h.run("api.test", 203);
  h.run("api.test", 203);
  CHECK(h.metric("probe_success", "api") == "1");
  CHECK(h.metric("prober_check_degraded", "api") == "1");
  CHECK(h.checkJson("api").at("degraded").as_bool());
  CHECK(h.pages().empty());
  h.run("api.test", 203);
  REQUIRE(h.pages() == Pages{"trigger prober:api:degraded"});
  const auto warning = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(warning.at("payload").at("severity") == "warning");
  CHECK(warning.at("payload").at("summary") == "api is degraded: status == 200 (got 203)");
  takePages(h);
  CHECK(h.checkJson("api").at("degraded_alert_firing").as_bool());

  // A failure is a failure: not degraded, and it does not end the warning either.
  h.run("api.test", 503);
  CHECK(h.metric("prober_check_degraded", "api") == "0");
  CHECK(h.metric("probe_success", "api") == "0");
  CHECK(h.pages().empty());
  h.run("api.test", 200);  // clean: the warning resolves (success_threshold 1)
  CHECK(takePages(h) == Pages{"resolve prober:api:degraded"});
  for (int status : {503, 503, 503}) {
    h.run("api.test", status);
  }
  CHECK(takePages(h) == Pages{"trigger prober:api"});
}

TEST_CASE("daemon: depends_on holds a child's page while its parent fires, sends it after") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("core") + check("edge", "depends_on = [\"core\"]\n") +
          check("leaf", "depends_on = [\"core\"]\n"));
  for (int i = 0; i < 3; ++i) {
    h.run("core.test", 503);
    h.run("edge.test", 503);
    h.run("leaf.test", 503);
  }
  CHECK(takePages(h) == Pages{"trigger prober:core"});  // one page for one outage, not three
  const auto edge = h.checkJson("edge");
  CHECK(edge.at("alert_firing").as_bool());
  CHECK(edge.at("suppressed").as_bool());
  CHECK(edge.at("suppressed_by") == boost::json::array{"core"});
  CHECK(h.metric("prober_check_suppressed", "edge") == "1");
  CHECK(h.metric("prober_check_suppressed", "core") == "0");

  h.run("leaf.test", 200);  // recovered while held: never paged
  h.run("core.test", 200);  // the parent resolves; edge still fails: its trigger goes out now
  CHECK(takePages(h) == Pages{"resolve prober:core", "trigger prober:edge"});
  h.run("edge.test", 200);
  h.run("leaf.test", 200);
  CHECK(takePages(h) == Pages{"resolve prober:edge"});
  h.clock.advance(2s);  // the marks are redone at most once a second
  CHECK(h.metric("prober_check_suppressed", "edge") == "0");
}

TEST_CASE("daemon: a maintenance window holds a page and sends it at its end if still firing") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api") + check("web") + R"(
[[maintenance]]
name = "deploy"
checks = ["api", "web"]
start = "1970-01-01T01:05:00Z"
duration = "10m"
)");
  runUntil(h, "api.test", 200, wallAt(1, 5));
  runUntil(h, "web.test", 200, wallAt(1, 5, 30));
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
    h.run("web.test", 503);
  }
  CHECK(h.pages().empty());
  const auto api = h.checkJson("api");
  CHECK(api.at("alert_firing").as_bool());
  CHECK(api.at("silenced_by") == "maintenance deploy until 1970-01-01 01:15:00 UTC");
  CHECK(h.metric("prober_check_silenced", "api") == "1");
  h.run("web.test", 200);  // fired and recovered inside: pages nothing, ever

  runUntil(h, "api.test", 503, wallAt(1, 15));
  const Pages pages = h.pages();
  REQUIRE(pages == Pages{"trigger prober:api"});
  const auto page = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(page.at("payload").at("timestamp") == "1970-01-01T01:15:00.000Z");  // at the end
  takePages(h);
  runUntil(h, "web.test", 200, wallAt(1, 20));
  runUntil(h, "api.test", 503, wallAt(1, 20));
  CHECK(h.pages().empty());
  CHECK(h.metric("prober_check_silenced", "api") == "0");
}

TEST_CASE("daemon: silences through the API hold pages, survive a restart, and release on delete") {
  StateDir dir;
  const std::string config = std::string(kNotifier) + check("api", "labels = { team = \"pay\" }\n");
  {
    DaemonHarness h(dir);
    h.start(config);
    const auto created = h.request(
        "POST", "/api/v1/silences",
        R"({"labels":{"team":"pay"},"duration":"1h","comment":"deploy","created_by":"alice"})",
        {{"content-type", "application/json"}});
    REQUIRE(created.status == 201);
    const auto silence = boost::json::parse(created.body).as_object();
    CHECK(silence.at("id") == "1");
    CHECK(silence.at("starts_at") == "1970-01-01T01:00:00Z");
    CHECK(silence.at("ends_at") == "1970-01-01T02:00:00Z");
    CHECK(silence.at("created_by") == "alice");
    CHECK(h.request("POST", "/api/v1/silences", R"({"checks":["api"]})",
                    {{"content-type", "application/json"}})
              .status == 400);
    CHECK(h.request("PUT", "/api/v1/silences").status == 405);
    for (int i = 0; i < 3; ++i) {
      h.run("api.test", 503);
    }
    CHECK(h.pages().empty());
    CHECK(h.checkJson("api").at("silenced_by") ==
          "silence 1 by alice until 1970-01-01 02:00:00 UTC: deploy");
  }
  DaemonHarness h(dir);  // restarted: the silence and the held page are still there
  h.start(config);
  const auto listed = boost::json::parse(h.request("GET", "/api/v1/silences").body).as_object();
  REQUIRE(listed.at("silences").as_array().size() == 1);
  CHECK(listed.at("silences").at(0).at("comment") == "deploy");
  h.run("api.test", 503);
  CHECK(h.pages().empty());
  CHECK(h.request("DELETE", "/api/v1/silences/1").status == 204);
  CHECK(takePages(h) == Pages{"trigger prober:api"});  // at once, not at the next run
  CHECK(h.request("DELETE", "/api/v1/silences/1").status == 404);
  CHECK(h.request("DELETE", "/api/v1/silences/x").status == 404);
  CHECK(boost::json::parse(h.request("GET", "/api/v1/silences").body)
            .at("silences")
            .as_array()
            .empty());
}

TEST_CASE("daemon: a silence that expires while a page is held sends it when it ends") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  REQUIRE(h.request("POST", "/api/v1/silences", R"({"checks":["a*"],"duration":"10m"})",
                    {{"content-type", "application/json"}})
              .status == 201);
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
  }
  CHECK(h.pages().empty());
  runUntil(h, "api.test", 503, wallAt(1, 10));
  REQUIRE(h.pages() == Pages{"trigger prober:api"});
  const auto page = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(page.at("payload").at("timestamp") == "1970-01-01T01:10:00.000Z");
}

TEST_CASE("daemon: Slack mute and unmute, under the same allow-lists; other text still pages") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api") + kSlackCommand);
  const auto muted = h.slashCommand("mute api 2h db failover");
  CHECK(muted.status == 200);
  CHECK(muted.body.find("<@U1> muted api for 2h (silence 1, until 1970-01-01T03:00:00Z): db "
                        "failover. `unmute 1` ends it.") != std::string::npos);
  CHECK(muted.body.find("in_channel") != std::string::npos);
  const auto refused = h.slashCommand("mute api 1h", "U2");
  CHECK(refused.body.find("Refused: you are not on the list") != std::string::npos);
  const auto unknown = h.slashCommand("mute nothing-here 1h");
  CHECK(unknown.body.find("No check is named nothing-here") != std::string::npos);
  CHECK(h.transport.sent.empty());

  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
  }
  CHECK(h.pages().empty());
  const auto silences = boost::json::parse(h.request("GET", "/api/v1/silences").body);
  REQUIRE(silences.at("silences").as_array().size() == 1);
  CHECK(silences.at("silences").at(0).at("created_by") == "ann (U1) via Slack");

  const auto unmuted = h.slashCommand("unmute 1");
  CHECK(unmuted.body.find("<@U1> ended silence 1") != std::string::npos);
  CHECK(takePages(h) == Pages{"trigger prober:api"});
  h.clock.advance(1s);  // the same request in the same second would be refused as a replay
  CHECK(h.slashCommand("unmute 1").body.find("There is no silence 1") != std::string::npos);

  // A sentence that starts with "mute" is a page.
  h.slashCommand("mute button broken on checkout");
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(boost::json::parse(h.transport.sent.front().request.body).at("payload").at("summary") ==
        "mute button broken on checkout");
}

TEST_CASE("daemon: a restart during a maintenance window keeps the page held until it ends") {
  StateDir dir;
  const std::string config = std::string(kNotifier) + check("api") + R"(
[[maintenance]]
name = "deploy"
checks = ["api"]
start = "1970-01-01T01:05:00Z"
duration = "10m"
)";
  {
    DaemonHarness before(dir);
    before.start(config);
    runUntil(before, "api.test", 200, wallAt(1, 5));
    for (int i = 0; i < 3; ++i) {
      before.run("api.test", 503);
    }
    CHECK(before.checkJson("api").at("alert_firing").as_bool());
    CHECK(before.pages().empty());
  }
  DaemonHarness after(dir);
  after.clock.advance(8min);  // restarted at 01:08, inside the window
  after.start(config);
  CHECK(after.checkJson("api").at("alert_firing").as_bool());
  CHECK(after.pages().empty());
  runUntil(after, "api.test", 503, wallAt(1, 15));
  REQUIRE(after.pages() == Pages{"trigger prober:api"});
  const auto page = boost::json::parse(after.transport.sent.front().request.body).as_object();
  CHECK(page.at("payload").at("timestamp") == "1970-01-01T01:15:00.000Z");
}
