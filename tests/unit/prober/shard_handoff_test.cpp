// Shards in the whole daemon, in simulated time (SPEC section 12): a check that leaves this
// instance's shard is dropped without a resolve, and a check it adopts sends one resolve once it
// has passed success_threshold runs, whether the shard changed by a reload or across a restart.
#include <fmt/format.h>
#include <fmt/ranges.h>

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

// A rolling re-shard: an instance restarted on the same state_dir as another shard must not
// resolve the pages of checks it no longer runs while they still fail; their new owner decides.
TEST_CASE("shards: a restart as another shard resolves nothing that still fails") {
  const std::vector<std::string> names = {"s0", "s1", "s2", "s3", "s4",  "s5",
                                          "s6", "s7", "s8", "s9", "s10", "s11"};
  std::string checks;
  std::vector<std::string> first;
  std::vector<std::string> second;
  for (const auto& name : names) {
    checks += check(name);
    (prober::Shard{1, 2}.owns(name) ? first : second).push_back(name);
  }
  REQUIRE_FALSE(first.empty());
  REQUIRE_FALSE(second.empty());
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(sharded("1/2") + checks);
    for (int i = 0; i < 3; ++i) {
      for (const auto& name : first) {
        h.run(name + ".test", 500);
      }
    }
    std::vector<std::string> triggers;
    for (const auto& name : first) {
      triggers.push_back("trigger prober:" + name);
    }
    std::sort(triggers.begin(), triggers.end());
    REQUIRE(sortedPages(h) == triggers);
    while (!h.transport.sent.empty()) {
      h.transport.answer(202);
    }
  }
  DaemonHarness h(dir);
  h.start(sharded("2/2") + checks);
  h.clock.advance(1s);
  CHECK(h.pages().empty());  // nothing resolved at start
  for (int i = 0; i < 3; ++i) {
    for (const auto& name : second) {
      h.run(name + ".test", 500);
    }
  }
  Pages triggers;
  for (const auto& name : second) {
    triggers.push_back("trigger prober:" + name);
  }
  std::sort(triggers.begin(), triggers.end());
  CHECK(sortedPages(h) == triggers);  // its own checks page; the handed-off ones say nothing
}

// The old owner's trigger still retrying when the check leaves: were it sent after the new
// owner's resolve, it would open an incident that nobody resolves.
TEST_CASE("shards: a trigger still retrying when its check leaves the shard is dropped") {
  const auto theirs = ownedBy(2, 2);
  REQUIRE_FALSE(theirs.empty());
  const std::string leaving = theirs.front();
  StateDir dir;
  DaemonHarness h(dir);
  h.start(sharded("") + allChecks());
  for (int i = 0; i < 3; ++i) {
    h.run(leaving + ".test", 503);
  }
  REQUIRE(h.pages() == Pages{"trigger prober:" + leaving});
  h.transport.answer(503);  // PagerDuty down: the trigger waits to be tried again
  h.configText = sharded("1/2") + allChecks();
  REQUIRE(h.request("POST", "/-/reload").status == 200);
  h.clock.advance(30min);
  CHECK(h.transport.sent.empty());
  CHECK(h.request("GET", "/metrics").body.find("prober_outbox_pending 0") != std::string::npos);
}

// The same with PagerDuty down before the restart: the triggers still waiting in the outbox
// belong to checks another shard runs now, and none of them may go out at start.
TEST_CASE("shards: a restart as another shard sends none of the handed-off checks' triggers") {
  const auto theirs = ownedBy(2, 2);
  REQUIRE(theirs.size() >= 2);
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(sharded("") + allChecks());
    for (int i = 0; i < 3; ++i) {
      for (const auto& name : theirs) {
        h.run(name + ".test", 503);
      }
    }
    while (!h.transport.sent.empty()) {
      h.transport.answer(503);  // each waits to be tried again
    }
  }
  DaemonHarness h(dir);
  h.start(sharded("1/2") + allChecks());
  h.clock.advance(30min);
  CHECK(h.transport.sent.empty());
}

// A check that flapped while PagerDuty was down, passing when the daemon stopped: its saved
// alert is not firing, but the outbox holds its triggers and the resolves that end them. After a
// restart as another shard no trigger goes out, nor a resolve that only ends a trigger never
// posted; a resolve owed for a trigger PagerDuty took goes out, and so does one for a trigger
// that was tried (it may have landed: one resolve too many costs nothing). (The simulation
// found the whole backlog going out: seed 1481.)
TEST_CASE("shards: a restart as another shard sends none of a passing check's queued backlog") {
  const auto theirs = ownedBy(2, 2);
  REQUIRE(theirs.size() >= 2);
  const std::string flapped = theirs[0];
  const std::string owed = theirs[1];
  StateDir dir;
  {
    DaemonHarness h(dir);
    h.start(sharded("") + allChecks());
    for (int i = 0; i < 3; ++i) {
      h.run(owed + ".test", 503);
    }
    REQUIRE(h.pages() == Pages{"trigger prober:" + owed});
    h.transport.answer(202);  // PagerDuty took it: its resolve is owed
    h.transport.sent.clear();
    for (int flap = 0; flap < 2; ++flap) {
      for (int i = 0; i < 3; ++i) {
        h.run(flapped + ".test", 503);
      }
      h.run(flapped + ".test", 200);
    }
    h.run(owed + ".test", 200);
    for (int guard = 0; guard < 20 && !h.transport.sent.empty(); ++guard) {
      h.transport.answer(503);  // PagerDuty down now: everything waits
    }
    REQUIRE(h.transport.sent.empty());
  }
  DaemonHarness h(dir);
  h.start(sharded("1/2") + allChecks());
  Pages sent;
  for (int step = 0; step < 30; ++step) {
    h.clock.advance(1min);
    for (int guard = 0; guard < 20 && !h.transport.sent.empty(); ++guard) {
      sent.push_back(h.pages().front());
      h.transport.answer(202);
    }
  }
  INFO(fmt::format("{}", fmt::join(sent, ", ")));
  std::sort(sent.begin(), sent.end());
  Pages expected{"resolve prober:" + flapped, "resolve prober:" + owed};
  std::sort(expected.begin(), expected.end());
  CHECK(sent == expected);
  CHECK(h.request("GET", "/metrics").body.find("prober_outbox_pending 0") != std::string::npos);
}

// A trigger on the wire when its check leaves: if that attempt fails, it is not tried again.
TEST_CASE("shards: a trigger on the wire when its check leaves is not retried if it fails") {
  const auto theirs = ownedBy(2, 2);
  const std::string leaving = theirs.front();
  StateDir dir;
  DaemonHarness h(dir);
  h.start(sharded("") + allChecks());
  for (int i = 0; i < 3; ++i) {
    h.run(leaving + ".test", 503);
  }
  REQUIRE(h.pages() == Pages{"trigger prober:" + leaving});  // sent, not yet answered
  h.configText = sharded("1/2") + allChecks();
  REQUIRE(h.request("POST", "/-/reload").status == 200);
  h.transport.answer(503);
  h.clock.advance(30min);
  CHECK(h.transport.sent.empty());
}
