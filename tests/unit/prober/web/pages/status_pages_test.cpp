// The status pages through the whole daemon in simulated time: /, /checks/NAME, /status, the
// badges and the API's uptime, read from what the daemon recorded; announcements from the
// config and from Slack's `status TEXT`, kept across a restart.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <boost/json.hpp>
#include <functional>

#include "tests/fakes/daemon_harness.h"

using namespace prober::testing;

namespace {

std::string config(const std::string& extra = "") {
  std::string text = kNotifier;
  text.replace(text.find("listen = \"127.0.0.1:0\"\n"), 23,
               "listen = \"127.0.0.1:0\"\nstatus_group_by = \"team\"\n");
  return text + kSlackCommand + extra + check("shop", "labels = { team = \"payments\" }\n") +
         check("search", "labels = { team = \"discovery\" }\n");
}

// Three rounds: shop passes every run, search fails every run. Then time moves on past an
// uptime refresh.
void runRounds(DaemonHarness& h) {
  for (int round = 0; round < 3; ++round) {
    h.run("shop.test", 200);
    h.run("search.test", 503);
  }
  // The uptime is worked out on the history thread: wait (bounded) until it has been, after
  // the last run.
  for (int i = 0; i < 20; ++i) {
    h.clock.advance(11s);
    h.loop.waitAndRun(std::chrono::seconds(5));
    const auto uptime = h.checkJson("search").at("uptime").at("24h");
    if (!uptime.is_null() && uptime.to_number<double>() == 0) {
      break;
    }
  }
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the engineers' page: states, uptime, groups, the filter and the check page") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(config());
  runRounds(h);

  const auto api = h.checkJson("shop");
  REQUIRE(api.contains("uptime"));
  CHECK(api.at("uptime").at("24h").to_number<double>() == doctest::Approx(100));
  CHECK(h.checkJson("search").at("uptime").at("30d").to_number<double>() == doctest::Approx(0));

  const auto page = h.request("GET", "/");
  CHECK(page.status == 200);
  const std::string& html = page.body;
  CHECK(has(html, "<meta name=\"viewport\""));
  CHECK(has(html, "team: payments"));
  CHECK(has(html, "team: discovery"));
  CHECK(has(html, "id=\"check-shop\" data-state=\"passing\""));
  CHECK(has(html, "id=\"check-search\" data-state=\"failing\""));
  CHECK(has(html, "100.00 %"));
  CHECK(has(html, "0.00 %"));
  CHECK(has(html, "aria-label=\"Latency of the last 3 runs"));
  CHECK(has(html, "status == 200 (got 503)"));

  const std::string failing = h.request("GET", "/?q=state%3Afailing").body;
  CHECK(has(failing, "1 of 2 checks match"));
  CHECK(has(failing, "id=\"check-search\""));
  CHECK_FALSE(has(failing, "id=\"check-shop\""));
  const std::string byTeam = h.request("GET", "/?q=team:pay").body;
  CHECK(has(byTeam, "id=\"check-shop\""));
  CHECK_FALSE(has(byTeam, "id=\"check-search\""));
  CHECK(h.request("GET", "/?page=0").status == 400);
  CHECK(h.request("GET", "/?color=red").status == 400);

  const auto checkPage = h.request("GET", "/checks/search");
  INFO(checkPage.body);
  CHECK(checkPage.status == 200);
  CHECK(has(checkPage.body, "failing</span></h1>"));
  CHECK(has(checkPage.body, "Latency by phase"));
  CHECK(has(checkPage.body, "down since"));
  CHECK(has(checkPage.body, "3 runs, <span class=\"why\">status == 200 (got 503)</span>"));
  CHECK(has(checkPage.body, "alert fired"));
  CHECK(has(checkPage.body, "Availability per hour over the last 24 hours: 3 runs, 3 failed"));
  CHECK(h.request("GET", "/checks/nothing").status == 404);
}

TEST_CASE("badges say the state and the uptime; unknown names and windows are 404") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(config());
  runRounds(h);
  const auto status = h.request("GET", "/badge/search/status.svg");
  CHECK(status.status == 200);
  CHECK(status.contentType == "image/svg+xml");
  CHECK(has(status.body, ">failing</text>"));
  const auto week = h.request("GET", "/badge/shop/uptime/7d.svg");
  CHECK(week.status == 200);
  CHECK(has(week.body, ">100.00%</text>"));
  CHECK(has(h.request("GET", "/badge/search/uptime/24h.svg").body, ">0.00%</text>"));
  CHECK(h.request("GET", "/badge/nothing/status.svg").status == 404);
  CHECK(h.request("GET", "/badge/shop/uptime/1y.svg").status == 404);
  CHECK(h.request("GET", "/badge/shop").status == 404);
}

TEST_CASE("the public page: banner, groups in plain words, incidents, no jargon") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(config(R"(
[[announcement]]
text = "Card payments may be slow on Saturday night."
level = "warning"

[[announcement]]
text = "This one is over."
ends_at = "1970-01-01T00:00:01Z"  # the simulated clock starts at 1970
)"));
  runRounds(h);
  const std::string html = h.request("GET", "/status").body;
  CHECK(has(html, "role=\"status\""));
  CHECK(has(html, "Major outage</div>"));  // one of two services down
  CHECK(has(html, "Card payments may be slow on Saturday night."));
  CHECK_FALSE(has(html, "This one is over."));
  CHECK(has(html, "<b>search</b> is down."));
  CHECK(has(html, "payments</span> <span class=\"state passing\">"));
  for (const char* jargon : {"assert", "latency", "probe", "503", "status ==", "metric", "HTTP"}) {
    CHECK_MESSAGE(!has(html, jargon), jargon);
  }
}

TEST_CASE("Slack's status TEXT sets the public notice, pages nobody, and survives a restart") {
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(config());
    const auto reply = h.slashCommand("status outage Checkout is down, we are on it");
    CHECK(reply.status == 200);
    CHECK(has(reply.body, "in_channel"));
    CHECK(has(reply.body, "Nobody was paged"));
    CHECK(h.pages().empty());
    const std::string html = h.request("GET", "/status").body;
    CHECK(has(html, "Checkout is down, we are on it"));
    CHECK(has(html, "Major outage</div>"));  // an outage notice says so whatever the checks do
    CHECK(has(html, "posted by"));
  }
  DaemonHarness h(dir);
  h.start(config());
  CHECK(has(h.request("GET", "/status").body, "Checkout is down, we are on it"));
  CHECK(has(h.slashCommand("status clear").body, "cleared"));
  const std::string html = h.request("GET", "/status").body;
  CHECK_FALSE(has(html, "Checkout is down"));
  CHECK(has(html, "All systems operational</div>"));
}

TEST_CASE("the check page lists the silences and windows that cover it; /status says maintenance") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start(config(R"(
[[maintenance]]
name = "search-reindex"
checks = ["search"]
start = "1970-01-01T00:30:00Z"
duration = "2h"

[[maintenance]]
name = "weekly-shop"
labels = { team = "payments" }
schedule = "0 3 * * SUN"
duration = "1h"
)"));
  REQUIRE(
      h.request("POST", "/api/v1/silences",
                R"({"checks":["shop"],"duration":"1h","comment":"deploy","created_by":"alice"})",
                {{"content-type", "application/json"}})
          .status == 201);
  runRounds(h);
  const std::string search = h.request("GET", "/checks/search").body;
  CHECK(has(search, "Maintenance window <b>search-reindex</b>: open now, until"));
  CHECK_FALSE(has(search, "weekly-shop"));
  CHECK_FALSE(has(search, "Silence 1"));
  const std::string shop = h.request("GET", "/checks/shop").body;
  CHECK(has(shop, "Silence 1 by alice until"));
  CHECK(has(shop, ": deploy</li>"));
  CHECK(has(shop, "Maintenance window <b>weekly-shop</b> (schedule in UTC): next from"));
  const std::string status = h.request("GET", "/status").body;
  CHECK(has(status, "<b>search</b> is under planned maintenance."));
  CHECK(has(status, "All systems operational</div>"));  // the one failing check is in its window
}

namespace {

// A streamed answer pulled piece by piece as the server pulls it, with what each call gave.
struct Pulled {
  std::vector<std::string> pieces;
  std::string body() const {
    std::string all;
    for (const std::string& piece : pieces) {
      all += piece;
    }
    return all;
  }
};

Pulled pull(prober::ServerResponse& response, const std::function<void()>& afterFirst) {
  REQUIRE(response.stream);
  Pulled out;
  for (int call = 0; call < 10'000; ++call) {
    std::string piece;
    const bool more = response.stream(piece);
    out.pieces.push_back(std::move(piece));
    if (call == 0) {
      afterFirst();
    }
    if (!more) {
      return out;
    }
  }
  FAIL("the body never ended");
  return out;
}

}  // namespace

TEST_CASE(
    "over 5,000 checks, pages and lists are written a slice at a time; a reload meanwhile "
    "changes nothing they write") {
  StateDir dir;
  DaemonHarness h(dir);
  std::string many = kNotifier;
  many.replace(many.find("listen = \"127.0.0.1:0\"\n"), 23,
               "listen = \"127.0.0.1:0\"\nstatus_group_by = \"team\"\n");
  for (int i = 0; i < 5000; ++i) {
    many +=
        check(fmt::format("c{:04}", i), "labels = { team = \"t" + std::to_string(i % 7) + "\" }\n");
  }
  h.start(many);
  // A page number far past the end (its hundred would not fit in 64 bits): the last page.
  CHECK(has(h.request("GET", "/?page=4611686018427387904").body, "Page 50 of 50"));
  const std::string fewer = std::string(kNotifier) + check("only");
  for (const std::string path : {"/", "/status", "/api/v1/checks", "/api/v1/targets"}) {
    CAPTURE(path);
    const bool page = path == "/" || path == "/status";
    h.configText = many;
    REQUIRE(h.request("POST", "/-/reload").status == 200);
    prober::ServerResponse response = h.answerOf("GET", path);
    CHECK(response.status == 200);
    // Between two slices the loop runs: here a reload down to one check, whose states the
    // list being written must not lose.
    const Pulled pulled = pull(response, [&] {
      h.configText = fewer;
      REQUIRE(h.request("POST", "/-/reload").status == 200);
      REQUIRE(h.checkJson("only").contains("name"));
    });
    // 5,000 checks at most 2,048 a slice: three slices at least. A list's pieces are bounded;
    // a page is written whole at the end, once every check is counted.
    CHECK(pulled.pieces.size() >= 3);
    for (std::size_t i = 0; i < pulled.pieces.size(); ++i) {
      if (page) {
        CHECK(pulled.pieces[i].empty() == (i + 1 < pulled.pieces.size()));
      } else {
        CHECK(pulled.pieces[i].size() <= 64 * 1024 + 8 * 1024);
      }
    }
    const std::string body = pulled.body();
    if (path == "/") {
      CHECK(has(body, "<h1>prober</h1><p>5000 checks, 0 not passing."));
      CHECK(has(body, "Page 1 of 50"));
    } else if (path == "/status") {
      CHECK(has(body, "All systems operational"));
      CHECK(has(body, "t6</span>"));
      CHECK(has(body, "714 services, all operational"));
    } else if (path == "/api/v1/checks") {
      const auto checks = boost::json::parse(body).at("checks").as_array();
      REQUIRE(checks.size() == 5000);
      CHECK(checks[4999].at("name").as_string() == "c4999");
    } else {
      const auto targets = boost::json::parse(body).as_array();
      REQUIRE(targets.size() == 5000);
      CHECK(targets[0].at("labels").at("check").as_string() == "c0000");
      CHECK(targets[0].at("labels").at("team").as_string() == "t0");
    }
  }
}

TEST_CASE(
    "a run that ends while a page holds the old checks pages nothing for a check a reload "
    "removed or changed") {
  for (const bool removed : {true, false}) {
    CAPTURE(removed);
    StateDir dir;
    DaemonHarness h(dir);
    h.start(std::string(kNotifier) + check("api") + check("web"));
    h.run("api.test", 503);
    h.run("api.test", 503);
    h.waitForProbe("api.test");  // the third failure is in flight
    // A page over every check holds the list as it was, and with it the check's old state.
    prober::ServerResponse page = h.answerOf("GET", "/");
    REQUIRE(page.stream);
    h.configText = std::string(kNotifier) + check("web") +
                   (removed ? "" : check("api", "labels = { team = \"payments\" }\n"));
    REQUIRE(h.request("POST", "/-/reload").status == 200);
    REQUIRE(h.engine.answerFor("api.test", 503));
    h.clock.advance(1s);
    // The old definition's run is judged by nobody: no trigger for a check that is gone, nor
    // one from the old state of a check that starts afresh.
    CHECK(h.pages().empty());
    std::string rest;
    while (page.stream(rest)) {
    }
  }
}
