// Shards in the whole daemon, in simulated time (SPEC section 12): a check that leaves this
// instance's shard is dropped without a resolve, and a check it adopts sends one resolve once it
// has passed success_threshold runs, whether the shard changed by a reload or across a restart.
#include "checks/shard.h"
#include "tests/fakes/daemon_harness.h"

namespace {

using namespace std::chrono_literals;
using namespace prober::testing;

// The notifier, with `[prober] shard` when given.
std::string sharded(const std::string& shard) {
  std::string config = "[prober]\nlisten = \"127.0.0.1:0\"\n";
  if (!shard.empty()) {
    config += "shard = \"" + shard + "\"\n";
  }
  return config + R"(
[notifiers.pd]
type = "pagerduty"
routing_key = "r0123456789abcdef0123456789abcde"
url = "http://127.0.0.1:9/pagerduty"
)";
}

// Ten checks, and which of them shard 1 of 2 runs.
const std::vector<std::string> kNames = {"c0", "c1", "c2", "c3", "c4",
                                         "c5", "c6", "c7", "c8", "c9"};
std::string allChecks() {
  std::string out;
  for (const auto& name : kNames) {
    out += check(name);
  }
  return out;
}
std::vector<std::string> ownedBy(int index, int count) {
  std::vector<std::string> out;
  for (const auto& name : kNames) {
    if (prober::Shard{index, count}.owns(name)) {
      out.push_back(name);
    }
  }
  return out;
}

// "resolve prober:NAME" for each name, sorted; and the pages sent, sorted.
Pages resolvesOf(const std::vector<std::string>& names) {
  Pages out;
  for (const auto& name : names) {
    out.push_back("resolve prober:" + name);
  }
  std::sort(out.begin(), out.end());
  return out;
}
Pages sortedPages(const DaemonHarness& h) {
  Pages sent = h.pages();
  std::sort(sent.begin(), sent.end());
  return sent;
}

std::size_t listed(DaemonHarness& h) {
  return boost::json::parse(h.request("GET", "/api/v1/checks").body).at("checks").as_array().size();
}

}  // namespace

TEST_CASE("shards: a check that leaves the shard by a reload is dropped without a resolve") {
  const auto mine = ownedBy(1, 2);
  const auto theirs = ownedBy(2, 2);
  REQUIRE_FALSE(mine.empty());
  REQUIRE_FALSE(theirs.empty());
  StateDir dir;
  DaemonHarness h(dir);
  h.start(sharded("") + allChecks());
  CHECK(listed(h) == kNames.size());
  const std::string leaving = theirs.front();
  for (int i = 0; i < 3; ++i) {
    h.run(leaving + ".test", 503);
  }
  REQUIRE(h.pages() == Pages{"trigger prober:" + leaving});
  h.transport.answer(202);

  h.configText = sharded("1/2") + allChecks();
  REQUIRE(h.request("POST", "/-/reload").status == 200);
  CHECK(listed(h) == mine.size());
  CHECK(h.request("GET", "/api/v1/checks/" + leaving).status == 404);
  CHECK(h.metric("prober_check_consecutive_failures", mine.front()) == "0");
  CHECK(h.metric("prober_check_consecutive_failures", leaving).empty());
  CHECK(h.request("GET", "/metrics").body.find("prober_shard_info{shard=\"1\",shards=\"2\"} 1") !=
        std::string::npos);
  h.clock.advance(10min);
  CHECK(h.transport.sent.empty());  // no resolve: the new owner sends it
}

TEST_CASE("shards: an adopted check sends one resolve after passing, by reload and by restart") {
  const auto mine = ownedBy(1, 2);
  const auto adopted = ownedBy(2, 2);
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(sharded("1/2") + allChecks());
    CHECK(listed(h) == mine.size());
    h.configText = sharded("") + allChecks();  // the other shard went away: this one runs all
    REQUIRE(h.request("POST", "/-/reload").status == 200);
    CHECK(listed(h) == kNames.size());
    for (const auto& name : kNames) {
      h.run(name + ".test", 200);  // success_threshold 1
    }
    CHECK(sortedPages(h) == resolvesOf(adopted));  // one each, none for the checks it ran before
    while (!h.transport.sent.empty()) {
      h.transport.answer(202);
    }
    for (const auto& name : kNames) {
      h.run(name + ".test", 200);
    }
    CHECK(h.pages().empty());  // once only
  }
  {
    DaemonHarness h(dir);  // restarted as shard 2 of 2: it adopts nothing it ran unsharded
    h.start(sharded("2/2") + allChecks());
    for (const auto& name : adopted) {
      h.run(name + ".test", 200);
    }
    CHECK(h.pages().empty());
  }
  DaemonHarness h(dir);  // restarted as shard 1 of 2: it adopts what 2 of 2 did not run
  h.start(sharded("1/2") + allChecks());
  for (const auto& name : mine) {
    h.run(name + ".test", 200);
  }
  CHECK(sortedPages(h) == resolvesOf(mine));
}

TEST_CASE("location: named in pages, the status page and the report's history") {
  StateDir dir;
  DaemonHarness h(dir);
  h.start("[prober]\nlisten = \"127.0.0.1:0\"\nlocation = \"tokyo\"\n" +
          std::string(kNotifier).substr(std::string(kNotifier).find("[notifiers.pd]")) +
          check("api") + check("quiet", "page = \"quorum\"\n"));
  for (int i = 0; i < 3; ++i) {
    h.run("api.test", 503);
    h.run("quiet.test", 503);
  }
  REQUIRE(h.pages() == Pages{"trigger prober:api"});  // quiet is paged by the quorum rules
  const auto page = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(page.at("payload").at("summary") == "api is failing from tokyo: status == 200 (got 503)");
  CHECK(page.at("payload").at("custom_details").at("location") == "tokyo");
  h.transport.answer(202);
  CHECK(h.checkJson("quiet").at("alert_firing").as_bool());  // its state is kept all the same
  CHECK(h.metric("prober_alert_firing", "quiet") == "1");
  CHECK(h.request("GET", "/").body.find("<h1>prober from tokyo</h1>") != std::string::npos);
  h.run("api.test", 200);
  h.run("quiet.test", 200);
  CHECK(h.pages() == Pages{"resolve prober:api"});
}

TEST_CASE("shards: a restart before an adopted check passed still sends its one resolve") {
  const auto adopted = ownedBy(2, 2);
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(sharded("1/2") + allChecks());
    h.configText = sharded("") + allChecks();
    REQUIRE(h.request("POST", "/-/reload").status == 200);
  }  // stopped before any adopted check ran
  DaemonHarness h(dir);
  h.start(sharded("") + allChecks());
  for (const auto& name : kNames) {
    h.run(name + ".test", 200);
  }
  CHECK(sortedPages(h) == resolvesOf(adopted));
}
