// Shard membership on its own: which checks an instance adopts when its shard changes, the one
// resolve an adopted check sends once it passes, and what a restart remembers. A real store in
// a temporary directory, a fake transport, time set by hand.
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "alerting/alerter.h"
#include "prober/runtime/shard_membership.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/set_clock.h"

namespace {

struct QuietObserver : prober::AlerterObserver {
  void alertChanged(const std::string&, const prober::AlertEvent&) override {}
  void deliveryAttempted(const prober::OutboxRow&, prober::DeliveryResult,
                         const std::string&) override {}
  void outboxPending(std::size_t) override {}
  void stateWritesRefused(std::uint64_t) override {}
  void pageHeld(const std::string&, const prober::AlertEvent&, const prober::PageHold&) override {}
  void holdEnded(const std::string&, const prober::AlertEvent&, const std::string&) override {}
};

std::shared_ptr<const prober::CheckSpec> spec(const std::string& name) {
  prober::CheckSpec check;
  check.name = name;
  check.notify = {"pd"};
  check.successThreshold = 2;
  prober::StepSpec step;
  step.name = name;
  step.url = "http://a.test/";
  check.steps.push_back(step);
  return std::make_shared<const prober::CheckSpec>(std::move(check));
}

prober::RunResultPtr run(const std::string& check, bool passed) {
  auto result = std::make_shared<prober::RunResult>();
  result->check = check;
  result->passed = passed;
  result->steps.push_back(prober::StepOutcome{check, {}, prober::Verdict{passed, {}, {}}});
  return result;
}

prober::Shard shard(int index, int count) {
  std::string error;
  const auto parsed =
      prober::parseShard(std::to_string(index) + "/" + std::to_string(count), error);
  REQUIRE_MESSAGE(parsed, error);
  return *parsed;
}

// Twelve checks, so each half of a two-way split owns some.
std::vector<std::shared_ptr<const prober::CheckSpec>> twelveChecks() {
  std::vector<std::shared_ptr<const prober::CheckSpec>> all;
  for (int i = 0; i < 12; ++i) {
    all.push_back(spec("check-" + std::to_string(i)));
  }
  return all;
}

struct Harness {
  Harness()
      : dir(std::filesystem::temp_directory_path() /
            ("prober-membership-test-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    restart();
  }
  ~Harness() {
    membership.reset();
    alerter.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  // A fresh store, alerter and membership on the same state directory, as after a restart.
  void restart() {
    membership.reset();
    alerter.reset();
    store.reset();
    std::string error;
    store = prober::Store::open(dir.string(), error);
    REQUIRE_MESSAGE(store, error);
    alerter = std::make_unique<prober::Alerter>(*store, transport, observer, clock, clock.timers(),
                                                prober::Alerter::Hooks{[] { return 0.5; }, {}});
    alerter->setNotifiers(
        {{"pd", prober::Notifier{"pd", prober::PagerDutySettings{"KEY", "http://127.0.0.1:1/pd",
                                                                 "critical"}}}},
        "");
    membership = std::make_unique<prober::ShardMembership>(*store, *alerter);
    checks = prober::CheckSet();
  }
  // Applies the twelve checks as `mine` would run them; returns whether the shard changed.
  bool apply(const std::optional<prober::Shard>& mine) {
    const auto change = checks.apply(prober::ShardMembership::owned(twelveChecks(), mine));
    return membership->applied(mine, change, checks);
  }
  void runs(const std::string& check, std::initializer_list<bool> passed) {
    const auto state = checks.find(check);
    REQUIRE(state);
    for (const bool ok : passed) {  // as the probe loop takes a run
      state->record(run(check, ok));
      alerter->onRun(*state->spec(), *state->last(), state->alerts());
      membership->runFinished(*state);
    }
  }
  // "ACTION DEDUP_KEY" of each PagerDuty event sent since the last call.
  std::vector<std::string> sent() {
    std::vector<std::string> out;
    while (!transport.sent.empty()) {
      const auto body = boost::json::parse(transport.sent.front().request.body).as_object();
      out.push_back(std::string(body.at("event_action").as_string()) + " " +
                    std::string(body.at("dedup_key").as_string()));
      transport.answer(202);
    }
    return out;
  }

  std::filesystem::path dir;
  prober::testing::SetClock clock{1'700'000'000'000};
  prober::testing::FakeTransport transport;
  QuietObserver observer;
  std::unique_ptr<prober::Store> store;
  std::unique_ptr<prober::Alerter> alerter;
  std::unique_ptr<prober::ShardMembership> membership;
  prober::CheckSet checks;
};

// The names `mine` runs that `before` did not.
std::set<std::string> gained(const prober::Shard& mine, const prober::Shard& before) {
  std::set<std::string> out;
  for (const auto& check : twelveChecks()) {
    if (mine.owns(check->name) && !before.owns(check->name)) {
      out.insert(check->name);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("membership: a shard owns its part of the checks; unsharded owns them all") {
  const auto all = twelveChecks();
  CHECK(prober::ShardMembership::owned(all, std::nullopt).size() == 12);
  const auto first = prober::ShardMembership::owned(all, shard(1, 2));
  const auto second = prober::ShardMembership::owned(all, shard(2, 2));
  CHECK(first.size() + second.size() == 12);
  CHECK_FALSE(first.empty());
  CHECK_FALSE(second.empty());
  for (const auto& check : first) {
    CHECK_FALSE(shard(2, 2).owns(check->name));
  }
}

TEST_CASE("membership: the first start adopts nothing; a shard change adopts what it gained") {
  Harness h;
  CHECK_FALSE(h.apply(shard(1, 2)));  // nothing kept before: no earlier owner to take over from
  CHECK(h.membership->adopted().empty());
  CHECK(h.apply(shard(1, 2)) == false);  // the same shard again: nothing changes

  CHECK(h.apply(std::nullopt));  // now unsharded: it runs what 2/2 ran too
  const auto taken = gained(shard(2, 2), shard(1, 2));
  REQUIRE_FALSE(taken.empty());
  CHECK(h.membership->adopted() == taken);

  h.restart();  // kept in the store
  CHECK(h.membership->adopted() == taken);
  CHECK_FALSE(h.apply(std::nullopt));  // the stored shard is the one applied
  CHECK(h.membership->adopted() == taken);
}

TEST_CASE(
    "membership: from unsharded to a shard adopts nothing; a check that leaves is forgotten") {
  Harness h;
  h.apply(std::nullopt);
  CHECK(h.apply(shard(2, 2)));
  CHECK(h.membership->adopted().empty());  // unsharded ran every check: nothing is new here

  CHECK(h.apply(shard(1, 2)));
  const auto taken = gained(shard(1, 2), shard(2, 2));
  CHECK(h.membership->adopted() == taken);
  // Back before any resolve: none of those run here any more, and 2/2's are adopted anew (1/2
  // was the last to run here, and did not run them).
  CHECK(h.apply(shard(2, 2)));
  const auto back = gained(shard(2, 2), shard(1, 2));
  CHECK(h.membership->adopted() == back);
  for (const auto& name : taken) {
    CHECK_FALSE(h.membership->adopted(name));
  }
  h.restart();
  CHECK(h.membership->adopted() == back);
}

TEST_CASE("membership: an adopted check resolves once after success_threshold passes") {
  Harness h;
  h.apply(shard(1, 2));
  h.apply(std::nullopt);
  const std::string adopted = *gained(shard(2, 2), shard(1, 2)).begin();
  std::string own;  // a check this instance ran before the change too
  for (const auto& state : h.checks.inOrder()) {
    if (!h.membership->adopted(state->spec()->name)) {
      own = state->spec()->name;
      break;
    }
  }
  REQUIRE_FALSE(own.empty());

  h.runs(own, {true, true, true});  // a check of its own owes nothing
  CHECK(h.sent().empty());

  h.runs(adopted, {true});  // one pass of two
  CHECK(h.sent().empty());
  CHECK(h.membership->adopted(adopted));
  h.runs(adopted, {true});
  CHECK(h.sent() == std::vector<std::string>{"resolve prober:" + adopted});
  CHECK_FALSE(h.membership->adopted(adopted));
  h.runs(adopted, {true, true});
  CHECK(h.sent().empty());  // once only
  h.restart();
  CHECK_FALSE(h.membership->adopted(adopted));  // the store knows it was settled
}

TEST_CASE("membership: an adopted check that fires resolves in its own time, not by adoption") {
  Harness h;
  h.apply(shard(1, 2));
  h.apply(std::nullopt);
  const std::string adopted = *gained(shard(2, 2), shard(1, 2)).begin();
  h.checks.find(adopted)->alerts().restoreAlert(true, 3, {});  // firing, as its old owner left it
  h.runs(adopted, {false});
  CHECK_FALSE(h.membership->adopted(adopted));
  CHECK(h.sent().empty());  // no adoption resolve: the check's own resolve comes on recovery
}
