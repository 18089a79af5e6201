// Held pages in the alerter, in simulated time: a trigger held while a hold applies goes out when
// it ends if the alert still fires, and never if it recovered meanwhile; a page sent before a
// hold is not sent again after it; a timed hold wakes the alerter at its end; a restart keeps
// what was held. The hold itself is scripted (HoldPolicy decides it in the daemon).
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "alerting/alerter.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/set_clock.h"

namespace {

using prober::AlertTransition;
using prober::PageHold;

struct Recorder : prober::AlerterObserver {
  std::vector<std::string> events;  // "KEY fired|resolved|held: WHY|released: OUTCOME"
  void alertChanged(const std::string& key, const prober::AlertEvent& event) override {
    events.push_back(key + (event.action == prober::AlertAction::Trigger ? " fired" : " resolved"));
  }
  void deliveryAttempted(const prober::OutboxRow&, prober::DeliveryResult,
                         const std::string&) override {}
  void outboxPending(std::size_t) override {}
  void stateWritesRefused(std::uint64_t) override {}
  void pageHeld(const std::string& key, const prober::AlertEvent&, const PageHold& hold) override {
    events.push_back(key + " held: " + hold.reason);
  }
  void holdEnded(const std::string& key, const prober::AlertEvent&,
                 const std::string& outcome) override {
    events.push_back(key + " released: " + outcome);
  }
};

class Harness {
 public:
  Harness()
      : dir_(std::filesystem::temp_directory_path() /
             ("prober-held-test-" + std::to_string(::getpid()) + "-" + std::to_string(++made_))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    check.name = "api";
    check.notify = {"pd", "chat"};
    failed.check = "api";
    failed.steps.push_back(prober::StepOutcome{
        "api",
        {},
        prober::Verdict{false, prober::FailureReason::HttpStatus, {"status == 200 (got 503)"}}});
    passed.check = "api";
    passed.passed = true;
    start();
  }
  ~Harness() {
    alerter.reset();
    store.reset();
    std::filesystem::remove_all(dir_);
  }

  // A fresh alerter on the same state directory, as after a restart.
  void start() {
    alerter.reset();
    store.reset();
    std::string error;
    store = prober::Store::open(dir_.string(), error);
    REQUIRE(store);
    alerter = std::make_unique<prober::Alerter>(
        *store, transport, recorder, clock, clock.timers(),
        prober::Alerter::Hooks{[] { return 0.5; },
                               [this](const prober::CheckSpec&, prober::AlertKind kind) {
                                 return kind == prober::AlertKind::Certificate ? std::nullopt
                                                                               : hold;
                               }});
    alerter->setNotifiers(
        {{"pd", prober::Notifier{"pd", prober::PagerDutySettings{"KEY", "http://127.0.0.1:1/pd",
                                                                 "critical"}}},
         {"chat", prober::Notifier{"chat", prober::SlackSettings{"http://127.0.0.1:1/slack"}}}},
        "");
  }
  void recoverAfterRestart() {
    std::string error;
    const auto saved = store->loadAlerts(error);
    start();
    alerter->recover(
        saved,
        [this](const std::string& name) -> const prober::CheckSpec* {
          return name == check.name ? &check : nullptr;
        },
        [this](const std::string& name) { return name == check.name; });
  }

  void run(AlertTransition transition, bool firing) {
    alerter->act(prober::RunJudgement{check, firing ? failed : passed, transition, 3,
                                      prober::fromMillis(clock.wallMs - 60'000),
                                      AlertTransition::None, std::nullopt, firing});
  }
  void holdFor(const char* why, std::optional<std::int64_t> untilMs = std::nullopt) {
    hold = PageHold{PageHold::Cause::Silence, why,
                    untilMs ? std::optional(prober::fromMillis(*untilMs)) : std::nullopt};
  }

  // What went out since the last call, "ACTION DEDUP_KEY" (PagerDuty) or "slack: TEXT",
  // each answered 2xx.
  std::vector<std::string> sent() {
    std::vector<std::string> out;
    while (!transport.sent.empty()) {
      const auto body = boost::json::parse(transport.sent.front().request.body).as_object();
      if (body.contains("event_action")) {
        out.push_back(std::string(body.at("event_action").as_string()) + " " +
                      std::string(body.at("dedup_key").as_string()));
      } else {
        out.push_back("slack: " + std::string(body.at("text").as_string()));
      }
      transport.answer(202);
    }
    return out;
  }
  std::optional<prober::SavedAlert> saved(const std::string& key) {
    std::string error;
    const auto alerts = store->loadAlerts(error);
    const auto it = alerts.find(key);
    return it == alerts.end() ? std::nullopt : std::optional(it->second);
  }

  prober::CheckSpec check;
  prober::RunResult failed;
  prober::RunResult passed;
  std::optional<PageHold> hold;
  prober::testing::SetClock clock{1'700'000'000'000};
  prober::testing::FakeTransport transport;
  Recorder recorder;
  std::unique_ptr<prober::Store> store;
  std::unique_ptr<prober::Alerter> alerter;

 private:
  static inline int made_ = 0;  // two harnesses at once get two directories
  std::filesystem::path dir_;
};

using Sent = std::vector<std::string>;

}  // namespace

TEST_CASE("held: a trigger held goes out when the hold ends, and its resolve after it") {
  Harness h;
  h.holdFor("maintenance weekly-db");
  h.run(AlertTransition::Fire, true);
  CHECK(h.sent().empty());
  CHECK(h.recorder.events == Sent{"api fired", "api held: maintenance weekly-db"});
  REQUIRE(h.saved("api"));
  CHECK(h.saved("api")->firing);
  CHECK_FALSE(h.saved("api")->paged);
  REQUIRE(h.alerter->heldPage("api") != nullptr);
  h.run(AlertTransition::None, true);  // still held: nothing
  h.alerter->releaseHeld();
  CHECK(h.sent().empty());

  h.hold.reset();
  h.alerter->releaseHeld();
  CHECK(h.sent() == Sent{"trigger prober:api", "slack: :red_circle: *api* is down"});
  CHECK(h.recorder.events.back() == "api released: still firing: paged now");
  CHECK(h.saved("api")->paged);
  CHECK(h.alerter->heldPage("api") == nullptr);
  h.alerter->releaseHeld();  // nothing left: nothing more
  CHECK(h.sent().empty());
  h.run(AlertTransition::Resolve, false);
  CHECK(h.sent() == Sent{"resolve prober:api", "slack: :large_green_circle: *api* is back up"});
}

TEST_CASE("held: an alert that fires and recovers inside a hold pages nobody") {
  Harness h;
  h.holdFor("silence 1 by alice");
  h.run(AlertTransition::Fire, true);
  h.run(AlertTransition::Resolve, false);
  h.hold.reset();
  h.alerter->releaseHeld();
  CHECK(h.sent().empty());
  CHECK(h.recorder.events == Sent{"api fired", "api held: silence 1 by alice", "api resolved",
                                  "api released: recovered while held: nothing was sent"});
  CHECK_FALSE(h.saved("api"));
}

TEST_CASE("held: a check already firing before a hold does not page again after it") {
  Harness h;
  h.run(AlertTransition::Fire, true);
  CHECK(h.sent().size() == 2);
  h.holdFor("maintenance weekly-db");
  h.run(AlertTransition::None, true);
  h.hold.reset();
  h.alerter->releaseHeld();
  h.run(AlertTransition::None, true);
  CHECK(h.sent().empty());
  // Its resolve inside a later hold still goes out: on-call holds an open incident.
  h.holdFor("maintenance weekly-db");
  h.run(AlertTransition::Resolve, false);
  CHECK(h.sent() == Sent{"resolve prober:api", "slack: :large_green_circle: *api* is back up"});
}

TEST_CASE("held: a silence expiring while a page is held wakes the alerter at its end") {
  Harness h;
  const std::int64_t ends = h.clock.wallMs + 7'200'000;
  h.holdFor("silence 3 by bob", ends);
  h.run(AlertTransition::Fire, true);
  CHECK(h.alerter->heldWakeMs() == ends);
  h.clock.wallMs = ends;  // the wake-up comes; the silence no longer covers the check
  h.hold.reset();
  h.alerter->releaseHeld();
  CHECK(h.sent() == Sent{"trigger prober:api", "slack: :red_circle: *api* is down"});
}

TEST_CASE("held: a restart during a hold keeps the page held, and sends it once it ends") {
  Harness h;
  h.holdFor("maintenance weekly-db");
  h.run(AlertTransition::Fire, true);
  h.recoverAfterRestart();  // still in the window
  CHECK(h.sent().empty());
  CHECK(h.alerter->heldPage("api") != nullptr);
  h.hold.reset();
  h.alerter->releaseHeld();
  CHECK(h.sent() == Sent{"trigger prober:api", "slack: :red_circle: *api* is down"});

  // Held again, and the window ends while the daemon is down: the page goes out at start.
  Harness later;
  later.holdFor("maintenance weekly-db");
  later.run(AlertTransition::Fire, true);
  later.hold.reset();
  later.recoverAfterRestart();
  CHECK(later.sent() == Sent{"trigger prober:api", "slack: :red_circle: *api* is down"});
}

TEST_CASE("held: a degraded warning has its own key, warning severity, and is held too") {
  Harness h;
  prober::RunResult slow = h.passed;
  slow.steps.push_back(prober::StepOutcome{
      "api", {}, prober::Verdict{true, {}, {}, {"latency < 300ms (got 412ms)"}}});
  prober::RunJudgement judgement{
      h.check, slow, AlertTransition::None, 0, {}, AlertTransition::None, std::nullopt};
  judgement.degraded = AlertTransition::Fire;
  judgement.degradedRuns = 3;
  judgement.degradedFiring = true;
  h.alerter->act(judgement);
  REQUIRE(h.transport.sent.size() == 2);
  const auto body = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(body.at("dedup_key") == "prober:api:degraded");
  CHECK(body.at("payload").at("severity") == "warning");
  CHECK(body.at("payload").at("summary") == "api is degraded: latency < 300ms (got 412ms)");
  CHECK(body.at("payload").at("custom_details").at("degraded_runs") == 3);
  CHECK(h.sent()[1] == "slack: :large_yellow_circle: *api* is degraded");
  CHECK(h.saved("api#degraded"));

  h.holdFor("depends on core, which is firing");
  judgement.degraded = AlertTransition::Resolve;
  judgement.degradedFiring = false;
  h.alerter->act(judgement);  // already paged: its resolve goes out
  CHECK(h.sent() == Sent{"resolve prober:api:degraded",
                         "slack: :large_green_circle: *api* is no longer degraded"});
}

TEST_CASE("renotify: Slack is reminded while the alert fires, not before, not while held") {
  Harness h;
  h.check.renotify = prober::Millis(3'600'000);
  h.run(AlertTransition::Fire, true);
  CHECK(h.sent().size() == 2);
  h.clock.wallMs += 3'599'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent().empty());
  h.clock.wallMs += 1'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent() ==
        Sent{"slack: :red_circle: *api* is still down (reminder)"});  // PagerDuty is not
  h.clock.wallMs += 1'800'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent().empty());
  h.clock.wallMs += 1'800'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent().size() == 1);
  h.run(AlertTransition::Resolve, false);
  CHECK(h.sent().size() == 2);
  h.clock.wallMs += 7'200'000;
  h.run(AlertTransition::None, false);
  CHECK(h.sent().empty());  // resolved: no more reminders

  Harness held;
  held.check.renotify = prober::Millis(3'600'000);
  held.holdFor("silence 1");
  held.run(AlertTransition::Fire, true);
  held.clock.wallMs += 7'200'000;
  held.run(AlertTransition::None, true);
  CHECK(held.sent().empty());
}

TEST_CASE(
    "renotify: a wall clock stepped back or forward neither stops reminders nor hurries them") {
  Harness h;
  h.clock.steadyMs = 0;
  h.check.renotify = prober::Millis(3'600'000);
  h.run(AlertTransition::Fire, true);
  CHECK(h.sent().size() == 2);
  h.clock.wallMs += 1'800'000;
  h.clock.steadyMs += 1'800'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent().empty());
  h.clock.wallMs -= 3 * 3'600'000;  // NTP steps the clock back three hours
  h.clock.wallMs += 1'800'000;
  h.clock.steadyMs += 1'800'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent() == Sent{"slack: :red_circle: *api* is still down (reminder)"});
  h.clock.wallMs += 24 * 3'600'000;  // and forward a day
  h.clock.steadyMs += 60'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent().empty());  // an hour after the last reminder, not at once
  h.clock.wallMs += 3'540'000;
  h.clock.steadyMs += 3'540'000;
  h.run(AlertTransition::None, true);
  CHECK(h.sent().size() == 1);
}

TEST_CASE("location: PagerDuty and Slack name where the check failed from") {
  Harness h;
  h.alerter->setLocation("frankfurt");
  h.run(AlertTransition::Fire, true);
  REQUIRE(h.transport.sent.size() == 2);
  const auto page = boost::json::parse(h.transport.sent.front().request.body).as_object();
  CHECK(page.at("payload").at("summary") ==
        "api is failing from frankfurt: status == 200 (got 503)");
  CHECK(page.at("payload").at("custom_details").at("location") == "frankfurt");
  CHECK(h.sent()[1] == "slack: :red_circle: *api* is down (from frankfurt)");
}
