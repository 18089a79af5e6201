// The daemon as a whole, in simulated time (tests/fakes/daemon_harness.h): pages, reloads,
// restarts, the certificate warning, Slack and the Prometheus endpoints.
#include "alerting/slash_command.h"
#include "prober/web/server/bcrypt.h"
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace std::chrono_literals;
using namespace prober::testing;
using Harness = DaemonHarness;

}  // namespace

TEST_CASE("daemon: three failures page once, nothing more while firing, a pass resolves once") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  h.run("api.test", 503);
  h.run("api.test", 503);
  CHECK(h.pages().empty());
  h.run("api.test", 503);
  REQUIRE(h.pages() == Pages{"trigger prober:api"});
  h.transport.answer(202, R"({"status":"success"})");
  for (int i = 0; i < 5; ++i) {
    h.run("api.test", 503);
  }
  CHECK(h.pages().empty());
  CHECK(h.checkJson("api").at("alert_firing").as_bool());
  h.run("api.test", 200);
  REQUIRE(h.pages() == Pages{"resolve prober:api"});
  h.transport.answer(202);
  h.run("api.test", 200);
  CHECK(h.pages().empty());
  CHECK_FALSE(h.checkJson("api").at("alert_firing").as_bool());
}

TEST_CASE("daemon: a reload keeps the state and schedule of unchanged checks") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api") + check("web"));
  h.run("api.test", 503);
  const auto second = h.run("api.test", 503);
  h.run("web.test", 200);

  h.configText =
      std::string(kNotifier) + check("api") + check("web", "timeout = \"2s\"\n") + check("extra");
  const auto reloaded = h.request("POST", "/-/reload");
  CHECK(reloaded.status == 200);
  CHECK(reloaded.body == "config reloaded: 3 checks\n");

  const auto api = h.checkJson("api");
  CHECK(api.at("consecutive_failures").as_int64() == 2);
  CHECK(api.at("runs").at("failure").as_int64() == 2);
  const auto web = h.checkJson("web");  // changed: a fresh state
  CHECK(web.at("runs").at("success").as_int64() == 0);
  CHECK(web.at("state").as_string() == "pending");

  // The next run of api comes one interval after the last, as if nothing had happened...
  const auto third = h.run("api.test", 503);
  CHECK(third - second == 30s);
  // ...and it is the third failure in a row.
  CHECK(h.pages() == Pages{"trigger prober:api"});
}

TEST_CASE("daemon: a refused reload keeps the old config running") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  h.configText = std::string(kNotifier) + check("api", "interval = \"soon\"\n");
  const auto refused = h.request("POST", "/-/reload");
  CHECK(refused.status == 400);
  CHECK(refused.body.find("config refused, the old one keeps running:\n/test/prober.toml:") == 0);
  CHECK(h.request("GET", "/api/v1/checks").body.find("\"api\"") != std::string::npos);
  CHECK(h.request("GET", "/-/reload").status == 405);
}

TEST_CASE("daemon: a check removed while firing resolves once") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api") + check("web"));
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
  }
  REQUIRE(h.pages() == Pages{"trigger prober:api"});
  h.transport.answer(202);
  h.configText = std::string(kNotifier) + check("web");
  CHECK(h.request("POST", "/-/reload").status == 200);
  REQUIRE(h.pages() == Pages{"resolve prober:api"});
  h.transport.answer(202);
  h.clock.advance(1h);
  h.loop.runPosted();
  CHECK(h.pages().empty());
  CHECK(h.request("GET", "/api/v1/checks/api").status == 404);
}

TEST_CASE("daemon: after a restart a firing alert stays firing, pages nothing, and resolves") {
  StateDir dir;
  const std::string config = std::string(kNotifier) + check("api");
  {
    Harness before(dir);
    before.start(config);
    for (int i = 0; i < 3; ++i) {
      before.run("api.test", 503);
    }
    REQUIRE(before.pages() == Pages{"trigger prober:api"});
    before.transport.answer(202);
  }
  Harness after(dir);
  after.start(config);
  CHECK(after.pages().empty());
  CHECK(after.checkJson("api").at("alert_firing").as_bool());
  after.run("api.test", 503);
  CHECK(after.pages().empty());
  after.run("api.test", 200);
  CHECK(after.pages() == Pages{"resolve prober:api"});
}

TEST_CASE("daemon: a restart without a firing check resolves it once, after its trigger") {
  StateDir dir;
  {
    Harness before(dir);
    before.start(std::string(kNotifier) + check("api") + check("web"));
    for (int i = 0; i < 3; ++i) {
      before.run("api.test", 503);
    }
    // The trigger is on its way when the daemon stops: it stays pending in the store.
    REQUIRE(before.pages() == Pages{"trigger prober:api"});
  }
  Harness after(dir);
  after.start(std::string(kNotifier) + check("web"));
  REQUIRE(after.pages() == Pages{"trigger prober:api"});  // first what was pending
  after.transport.answer(202);
  REQUIRE(after.pages() == Pages{"resolve prober:api"});  // then the resolve, once
  after.transport.answer(202);
  after.clock.advance(1h);
  CHECK(after.pages().empty());
}

TEST_CASE("daemon: a certificate within cert_warning pages a warning of its own") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api", "cert_warning = \"21d\"\n"));
  const auto answerWithCertificate = [&h](std::chrono::hours left) {
    h.waitForProbe("api.test");
    prober::ProbeResult result = FakeHttpEngine::response(200);
    result.certExpiry = h.clock.wallNow() + left;
    h.engine.answer(std::move(result));
  };
  answerWithCertificate(24h * 10);
  REQUIRE(h.pages() == Pages{"trigger prober:api:cert"});
  const auto page = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(page.at("payload").at("severity").as_string() == "warning");
  h.transport.answer(202);
  answerWithCertificate(24h * 9);  // still within: nothing more
  CHECK(h.pages().empty());
  answerWithCertificate(24h * 90);  // renewed
  CHECK(h.pages() == Pages{"resolve prober:api:cert"});
}

TEST_CASE("daemon: an allowed Slack command pages on-call once; a replay pages nobody") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api") + kSlackCommand);
  const std::string body =
      "team_id=T1&channel_id=C1&channel_name=ops&user_id=U1&user_name=ann&command=%2Fpage&"
      "text=checkout+is+down";
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(h.clock.wallNow().time_since_epoch())
          .count());
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"x-slack-request-timestamp", timestamp},
      {"x-slack-signature", prober::slackSignature("s3cret", timestamp, body)}};
  const auto paged = h.request("POST", "/slack/command", body, headers);
  CHECK(paged.status == 200);
  CHECK(paged.body.find("<@U1> paged on-call through pd: checkout is down") != std::string::npos);
  REQUIRE(h.transport.sent.size() == 1);
  const auto page = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(page.at("event_action").as_string() == "trigger");
  CHECK(page.at("payload").at("summary").as_string() == "checkout is down");
  h.transport.answer(202);

  const auto replayed = h.request("POST", "/slack/command", body, headers);
  CHECK(replayed.status == 401);
  CHECK(h.transport.sent.empty());
  CHECK(h.request("GET", "/slack/command").status == 405);
}

TEST_CASE("daemon: without [slack_command] the path does not exist") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  CHECK(h.request("POST", "/slack/command", "x=1").status == 404);
  CHECK(h.request("GET", "/healthz").body == "ok\n");
  CHECK(h.request("DELETE", "/healthz").status == 405);
  CHECK(h.request("GET", "/nowhere").status == 404);
}

TEST_CASE("daemon: each check is a Prometheus target: /api/v1/targets and /probe?target=NAME") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) +
          check("api", "labels = { team = \"payments\", env = \"prod\" }\n") + check("web"));

  const auto targets = h.request("GET", "/api/v1/targets");
  REQUIRE(targets.status == 200);
  CHECK(targets.contentType == "application/json");
  CHECK(boost::json::parse(targets.body) == boost::json::parse(R"([
          {"targets": ["api"], "labels": {"check": "api", "url": "http://api.test/",
                                          "team": "payments", "env": "prod"}},
          {"targets": ["web"], "labels": {"check": "web", "url": "http://web.test/"}}])"));

  // Before any run: the check's counters, no probe_* series, and never another check's.
  const auto before = h.request("GET", "/probe?target=api");
  REQUIRE(before.status == 200);
  CHECK(before.body.find("prober_check_runs_total{result=\"success\"} 0\n") != std::string::npos);
  CHECK(before.body.find("probe_success") == std::string::npos);

  h.run("http://api.test/", 503);
  const auto after = h.request("GET", "/probe?target=api");
  REQUIRE(after.status == 200);
  CHECK(after.contentType.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(after.body.find("probe_success 0\n") != std::string::npos);
  CHECK(after.body.find("probe_http_status_code 503\n") != std::string::npos);
  CHECK(after.body.find("probe_http_duration_seconds{phase=\"connect\"} ") != std::string::npos);
  CHECK(after.body.find("prober_check_consecutive_failures 1\n") != std::string::npos);
  CHECK(after.body.find("prober_check_duration_seconds_bucket{le=\"+Inf\"} 1\n") !=
        std::string::npos);
  CHECK(after.body.find("prober_check_duration_seconds_count 1\n") != std::string::npos);
  CHECK(after.body.find("check=") == std::string::npos);
  CHECK(after.body.find("prober_check_info") == std::string::npos);  // target labels carry it
  CHECK(after.body.find("web") == std::string::npos);
  // `check` is the other name of the parameter; /probe never runs a probe itself.
  const std::size_t probesBefore = h.engine.requests.size();
  CHECK(h.request("GET", "/probe?check=api").body == after.body);
  CHECK(h.engine.requests.size() == probesBefore);

  const auto unknown = h.request("GET", "/probe?target=nope");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == "no check named \"nope\"\n");
  CHECK(h.request("GET", "/probe").status == 400);
  CHECK(h.request("GET", "/probe?target=").status == 400);
  const auto bad = h.request("GET", "/probe?target=%zz");
  CHECK(bad.status == 400);
  CHECK(bad.body.rfind("bad query: ", 0) == 0);
  CHECK(h.request("POST", "/probe?target=api").status == 405);
}

TEST_CASE(
    "daemon: with basic_auth_users every endpoint but /healthz and /slack/command needs a user") {
  StateDir dir;
  Harness h(dir);
  h.start(std::string(kNotifier) + "\n[web]\nbasic_auth_users = { alice = \"" +
          prober::bcryptHash("s3cr3t", 4) + "\" }\n" + check("api"));
  const std::pair<std::string, std::string> alice{"authorization", "Basic YWxpY2U6czNjcjN0"};
  const std::pair<std::string, std::string> wrong{"authorization", "Basic YWxpY2U6d3Jvbmc="};
  for (const char* path :
       {"/metrics", "/probe?target=api", "/api/v1/targets", "/api/v1/checks", "/", "/checks/api"}) {
    CAPTURE(path);
    const auto refused = h.request("GET", path);
    CHECK(refused.status == 401);
    CHECK(refused.headers.size() == 1);
    CHECK(h.request("GET", path, "", {wrong}).status == 401);
    CHECK(h.request("GET", path, "", {alice}).status == 200);
  }
  CHECK(h.request("POST", "/-/reload").status == 401);
  CHECK(h.request("GET", "/healthz").status == 200);
  CHECK(h.request("POST", "/slack/command", "x=1").status == 404);  // not 401: Slack signs it
}

// History reads still queued on the history thread when the daemon stops capture the endpoints
// that asked for them: they are dropped, never run after those are gone (make sanitize's ASan
// saw the use after free before), and the records still reach the disk.
TEST_CASE("daemon: stopping with history reads queued drops them and keeps the records") {
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(std::string(kNotifier) + check("api"));
    h.run("api.test", 200);
    for (int i = 0; i < 20; ++i) {
      prober::ServerRequest request;
      request.method = "GET";
      request.target = i % 2 == 0 ? "/checks/api" : "/api/v1/checks/api/history";
      h.daemon->answer(request, [](prober::ServerResponse) {});
    }
    h.daemon.reset();
  }  // the loop's posted answers are dropped with it, never run
  DaemonHarness h(dir);
  h.start(std::string(kNotifier) + check("api"));
  h.clock.advance(1h);  // a new clock: the run lies ahead of where it starts
  const auto history = boost::json::parse(h.request("GET", "/api/v1/checks/api/history").body);
  CHECK(history.at("runs").as_array().size() == 1);
}
