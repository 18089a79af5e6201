// The alerter on its own: a transition becomes an event, one stored transaction and a page;
// what it did reaches the observer. A real store in a temporary directory, a fake transport,
// time passed in by hand.
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "alerting/alerter.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/set_clock.h"

namespace {

struct Recorder : prober::AlerterObserver {
  std::vector<std::string> alerts;      // "KEY ACTION"
  std::vector<std::string> deliveries;  // "KEY NOTIFIER RESULT"
  std::size_t pending = 0;
  std::uint64_t refused = 0;
  void alertChanged(const std::string& key, const prober::AlertEvent& event) override {
    alerts.push_back(key + " " + std::string(prober::actionName(event.action)));
  }
  void deliveryAttempted(const prober::OutboxRow& row, prober::DeliveryResult result,
                         const std::string&) override {
    deliveries.push_back(row.check + " " + row.notifier + " " +
                         std::string(prober::deliveryResultName(result)));
  }
  void outboxPending(std::size_t notifications) override { pending = notifications; }
  void stateWritesRefused(std::uint64_t count) override { refused += count; }
  void pageHeld(const std::string& key, const prober::AlertEvent&,
                const prober::PageHold& hold) override {
    holds.push_back(key + " held: " + hold.reason);
  }
  void holdEnded(const std::string& key, const prober::AlertEvent&,
                 const std::string& outcome) override {
    holds.push_back(key + " released: " + outcome);
  }
  std::vector<std::string> holds;
};

struct Harness {
  Harness()
      : dir(std::filesystem::temp_directory_path() /
            ("prober-alerter-test-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string error;
    store = prober::Store::open(dir.string(), error);
    REQUIRE(store);
    alerter = std::make_unique<prober::Alerter>(*store, transport, recorder, clock, clock.timers(),
                                                prober::Alerter::Hooks{[] { return 0.5; }, {}});
    alerter->setNotifiers(
        {{"pd", prober::Notifier{"pd", prober::PagerDutySettings{"KEY", "http://127.0.0.1:1/pd",
                                                                 "critical"}}}},
        "");
    check.name = "api";
    check.notify = {"pd"};
    check.certWarning = prober::Millis(21LL * 24 * 3600 * 1000);
    failed.check = "api";
    failed.steps.push_back(prober::StepOutcome{
        "api",
        {},
        prober::Verdict{false, prober::FailureReason::HttpStatus, {"status == 200 (got 503)"}}});
  }
  ~Harness() {
    alerter.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::map<std::string, prober::SavedAlert> saved() {
    std::string error;
    return store->loadAlerts(error);
  }
  std::string sentAction() const {
    REQUIRE_FALSE(transport.sent.empty());
    const auto body = boost::json::parse(transport.sent.back().request.body).as_object();
    return std::string(body.at("event_action").as_string()) + " " +
           std::string(body.at("dedup_key").as_string());
  }

  std::filesystem::path dir;
  prober::testing::SetClock clock{1'700'000'000'000};
  prober::testing::FakeTransport transport;
  Recorder recorder;
  std::unique_ptr<prober::Store> store;
  std::unique_ptr<prober::Alerter> alerter;
  prober::CheckSpec check;
  prober::RunResult failed;
};

}  // namespace

TEST_CASE("a firing transition is stored with its page, sent, and told to the observer") {
  Harness h;
  const auto since = prober::fromMillis(h.clock.wallMs - 90'000);
  h.alerter->act(prober::RunJudgement{h.check, h.failed, prober::AlertTransition::Fire, 3, since,
                                      prober::AlertTransition::None, std::nullopt});
  CHECK(h.recorder.alerts == std::vector<std::string>{"api trigger"});
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction() == "trigger prober:api");
  const auto saved = h.saved();
  REQUIRE(saved.count("api") == 1);
  CHECK(saved.at("api").firing);
  CHECK(saved.at("api").consecutiveFailures == 3);
  CHECK(saved.at("api").failingSinceMs == h.clock.wallMs - 90'000);
  CHECK(h.recorder.pending == 1);
  h.transport.answer(202);
  CHECK(h.recorder.deliveries == std::vector<std::string>{"api pd delivered"});
  CHECK(h.recorder.pending == 0);

  h.alerter->act(prober::RunJudgement{h.check, h.failed, prober::AlertTransition::Resolve, 0, since,
                                      prober::AlertTransition::None, std::nullopt});
  CHECK(h.sentAction() == "resolve prober:api");
  CHECK(h.saved().count("api") == 0);  // a resolved alert keeps no state
}

TEST_CASE("finished runs page at failure_threshold and resolve on recovery, judged here") {
  Harness h;
  h.check.failureThreshold = 3;
  prober::CheckAlerts alerts(h.check);
  prober::RunResult passed;
  passed.check = "api";
  passed.passed = true;
  h.alerter->onRun(h.check, passed, alerts);
  h.alerter->onRun(h.check, h.failed, alerts);
  h.alerter->onRun(h.check, h.failed, alerts);
  CHECK(h.transport.sent.empty());  // two failures: not yet
  CHECK(h.recorder.alerts.empty());
  h.alerter->onRun(h.check, h.failed, alerts);
  CHECK(h.recorder.alerts == std::vector<std::string>{"api trigger"});
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction() == "trigger prober:api");
  CHECK(h.saved().at("api").consecutiveFailures == 3);
  h.transport.answer(202);
  h.alerter->onRun(h.check, h.failed, alerts);  // still firing: PagerDuty is not told again
  CHECK(h.transport.sent.empty());
  h.alerter->onRun(h.check, passed, alerts);
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction() == "resolve prober:api");
  CHECK(h.recorder.alerts == std::vector<std::string>{"api trigger", "api resolve"});
}

TEST_CASE("a certificate warning is its own alert, dated by the certificate's expiry") {
  Harness h;
  const auto expiry = prober::fromMillis(h.clock.wallMs + 10LL * 24 * 3600 * 1000);
  prober::RunResult passed;
  passed.check = "api";
  passed.passed = true;
  h.alerter->act(prober::RunJudgement{h.check,
                                      passed,
                                      prober::AlertTransition::None,
                                      0,
                                      {},
                                      prober::AlertTransition::Fire,
                                      expiry});
  CHECK(h.recorder.alerts == std::vector<std::string>{"api#cert trigger"});
  CHECK(h.sentAction() == "trigger prober:api:cert");
  const auto saved = h.saved();
  REQUIRE(saved.count("api#cert") == 1);
  CHECK(saved.at("api#cert").certExpiryMs == prober::toMillis(expiry));
  CHECK(saved.at("api#cert").failingSinceMs == 0);
}

TEST_CASE("a page from a person is sent once and changes no check's alert") {
  Harness h;
  const prober::AlertEvent event = prober::slashCommandEventFor(
      "db down", "T1", "C1", "ops", "U1", "ann", prober::fromMillis(h.clock.wallMs));
  h.alerter->page(event, "pd");
  CHECK(h.recorder.alerts.empty());
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.saved().empty());
  h.transport.answer(202);
  CHECK(h.recorder.deliveries.size() == 1);
}

namespace {

// The harness with an Alertmanager notifier of two members, re-sent every minute.
void useAlertmanager(Harness& h) {
  h.alerter->setNotifiers(
      {{"am", prober::Notifier{"am", prober::AlertmanagerSettings{{"http://127.0.0.1:1/",
                                                                   "http://127.0.0.1:2"},
                                                                  prober::Millis(60'000),
                                                                  "critical"}}}},
      "http://prober.example.com");
  h.check.notify = {"am"};
}

prober::RunJudgement judgement(Harness& h, prober::AlertTransition alert, bool firing) {
  prober::RunJudgement j{h.check,
                         h.failed,
                         alert,
                         3,
                         prober::fromMillis(1'700'000'000'000 - 90'000),
                         prober::AlertTransition::None,
                         std::nullopt};
  j.firing = firing;
  return j;
}

// What the last two requests (one to each member) posted: URL, alertname, endsAt.
std::vector<std::string> lastPosts(const Harness& h) {
  std::vector<std::string> out;
  for (auto it = h.transport.sent.end() - 2; it != h.transport.sent.end(); ++it) {
    const auto alert = boost::json::parse(it->request.body).as_array().at(0).as_object();
    out.push_back(it->request.url + " " +
                  std::string(alert.at("labels").at("alertname").as_string()) + " " +
                  std::string(alert.at("endsAt").as_string()));
  }
  return out;
}

}  // namespace

TEST_CASE("Alertmanager: every member is posted to, and one that accepts is a delivery") {
  Harness h;
  useAlertmanager(h);
  h.alerter->act(judgement(h, prober::AlertTransition::Fire, true));
  REQUIRE(h.transport.sent.size() == 2);
  // 2023-11-14T22:13:20Z plus 4 resends of a minute
  CHECK(lastPosts(h) ==
        std::vector<std::string>{
            "http://127.0.0.1:1/api/v2/alerts ProberCheckFailing 2023-11-14T22:17:20.000Z",
            "http://127.0.0.1:2/api/v2/alerts ProberCheckFailing 2023-11-14T22:17:20.000Z"});
  h.transport.answer(0, "", "connection refused");
  CHECK(h.recorder.deliveries.empty());  // waits for the other member
  h.transport.answer(200);
  CHECK(h.recorder.deliveries == std::vector<std::string>{"api am delivered"});
}

TEST_CASE("Alertmanager: no member accepting retries; only every member's 400 is final") {
  Harness h;
  useAlertmanager(h);
  h.alerter->act(judgement(h, prober::AlertTransition::Fire, true));
  h.transport.answer(400, "bad alert");
  h.transport.answer(503);
  CHECK(h.recorder.deliveries == std::vector<std::string>{"api am retry"});
  h.clock.wallMs += 2'000;  // past the first backoff
  h.alerter->pollOutbox();
  REQUIRE(h.transport.sent.size() == 2);
  h.transport.answer(400, "bad alert");
  h.transport.answer(422, "invalid");  // not Alertmanager's documented refusal: retried
  CHECK(h.recorder.deliveries == std::vector<std::string>{"api am retry", "api am refused"});
  h.clock.wallMs += 10'000;
  h.alerter->pollOutbox();
  REQUIRE(h.transport.sent.size() == 2);
  h.transport.answer(400, "bad alert");
  h.transport.answer(400, "bad alert");
  CHECK(h.recorder.deliveries ==
        std::vector<std::string>{"api am retry", "api am refused", "api am rejected"});
}

TEST_CASE("Alertmanager: a firing alert is re-sent every resend until it resolves") {
  Harness h;
  useAlertmanager(h);
  h.alerter->act(judgement(h, prober::AlertTransition::Fire, true));
  h.transport.answer(200);
  h.transport.answer(200);
  // Runs while firing: nothing until a minute has passed since the trigger.
  h.clock.wallMs += 30'000;
  h.alerter->act(judgement(h, prober::AlertTransition::None, true));
  CHECK(h.transport.sent.empty());
  h.clock.wallMs += 30'000;
  h.alerter->act(judgement(h, prober::AlertTransition::None, true));
  REQUIRE(h.transport.sent.size() == 2);
  CHECK(lastPosts(h)[0] ==
        "http://127.0.0.1:1/api/v2/alerts ProberCheckFailing 2023-11-14T22:18:20.000Z");
  // A re-send still waiting is not doubled by the next run.
  h.clock.wallMs += 60'000;
  h.alerter->act(judgement(h, prober::AlertTransition::None, true));
  CHECK(h.transport.sent.size() == 2);
  h.transport.answer(200);
  h.transport.answer(200);
  // Re-sends are not stored and not told to the history as alert changes.
  CHECK(h.recorder.alerts == std::vector<std::string>{"api trigger"});
  CHECK(h.recorder.deliveries == std::vector<std::string>{"api am delivered", "api am delivered"});
  // The resolve ends the alert at its own time, and re-sending stops.
  h.clock.wallMs += 10'000;
  h.alerter->act(judgement(h, prober::AlertTransition::Resolve, false));
  REQUIRE(h.transport.sent.size() == 2);
  CHECK(lastPosts(h)[1] ==
        "http://127.0.0.1:2/api/v2/alerts ProberCheckFailing 2023-11-14T22:15:30.000Z");
  h.transport.answer(200);
  h.transport.answer(200);
  h.clock.wallMs += 120'000;
  h.alerter->act(judgement(h, prober::AlertTransition::None, false));
  CHECK(h.transport.sent.empty());
}
