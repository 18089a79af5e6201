// The outbox dispatcher with a fake transport and hand-moved time: order, backoff, pacing,
// what is retried and what is dropped.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <limits>

#include "alerting/pager.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/set_clock.h"

namespace {

using prober::testing::FakeTransport;

struct Harness {
  FakeTransport transport;
  prober::testing::SetClock clock;
  std::map<std::string, int> counted;
  std::vector<std::string> answers;  // "CHECK NOTIFIER RESULT: ANSWER", every attempt
  prober::Pager pager;

  explicit Harness(prober::Store* store = nullptr)
      : pager(
            store, transport, clock, clock.timers(),
            prober::Pager::Hooks{[] { return 0.5; },
                                 [this](const prober::OutboxRow& row, prober::DeliveryResult result,
                                        const std::string& answer) {
                                   const std::string outcome(prober::deliveryResultName(result));
                                   ++counted[row.notifier + ":" + outcome];
                                   answers.push_back(row.check + " " + row.notifier + " " +
                                                     outcome + ": " + answer);
                                 },
                                 {}}) {
    const prober::Notifier pd{
        "pd", prober::PagerDutySettings{"KEY", "http://127.0.0.1:1/v2/enqueue", "critical"}};
    const prober::Notifier slack{"chat", prober::SlackSettings{"http://127.0.0.1:1/hook"}};
    pager.setNotifiers({{"pd", pd}, {"chat", slack}}, "");
  }

  static prober::OutboxRow row(const std::string& check, prober::AlertAction action,
                               const std::string& notifier = "pd") {
    prober::OutboxRow row;
    row.check = check;
    row.notifier = notifier;
    row.event.action = action;
    row.event.check = check;
    return row;
  }
  std::string sentAction(std::size_t i) const {
    const std::string& body = transport.sent.at(i).request.body;
    return body.find(R"("event_action":"resolve")") != std::string::npos ? "resolve" : "trigger";
  }
};

}  // namespace

TEST_CASE("a resolve never overtakes its trigger, even through failures") {
  Harness h;
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger),
               Harness::row("api", prober::AlertAction::Resolve)});
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 1);  // one at a time per check and notifier
  CHECK(h.sentAction(0) == "trigger");
  h.transport.answer(500);
  CHECK(h.transport.sent.empty());  // the resolve waits behind the trigger's retry
  CHECK(h.counted["pd:retry"] == 1);
  h.clock.wallMs = h.pager.wakeAtMs();
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction(0) == "trigger");
  h.transport.answer(202);
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction(0) == "resolve");
  h.transport.answer(202);
  CHECK(h.counted["pd:delivered"] == 2);
  CHECK(h.pager.pending() == 0);
}

TEST_CASE("timeouts, connection errors, 429 and 5xx are retried with growing delays") {
  Harness h;
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger)});
  h.pager.poll();
  std::vector<std::int64_t> delays;
  for (const auto& [status, error] :
       std::vector<std::pair<int, std::string>>{{0, "timed out after 10s"},
                                                {0, "connection refused"},
                                                {429, ""},
                                                {503, ""},
                                                {500, ""}}) {
    REQUIRE(h.transport.sent.size() == 1);
    h.transport.answer(status, "", error);
    delays.push_back(h.pager.wakeAtMs() - h.clock.wallMs);
    h.clock.wallMs = h.pager.wakeAtMs();
    h.pager.poll();
  }
  CHECK(delays ==
        std::vector<std::int64_t>{1000, 2000, 4000, 8000, 16000});  // jitter fixed at the middle
  CHECK(h.counted["pd:retry"] == 5);
  h.transport.answer(202, R"({"status":"success"})");
  CHECK(h.counted["pd:delivered"] == 1);
  // Every attempt is reported with its answer (history records them).
  CHECK(h.answers == std::vector<std::string>{
                         "api pd retry: timed out after 10s", "api pd retry: connection refused",
                         "api pd retry: HTTP 429", "api pd retry: HTTP 503",
                         "api pd retry: HTTP 500",
                         R"(api pd delivered: HTTP 202: {"status":"success"})"});
}

TEST_CASE("the backoff runs from 1 s to a 5 min cap, with jitter") {
  CHECK(prober::Pager::backoffMs(1, 0.5) == 1000);
  CHECK(prober::Pager::backoffMs(1, 0.0) == 1000);  // never under 1 s
  CHECK(prober::Pager::backoffMs(2, 0.0) == 1500);
  CHECK(prober::Pager::backoffMs(2, 1.0) == 2500);
  CHECK(prober::Pager::backoffMs(9, 0.5) == 256'000);
  CHECK(prober::Pager::backoffMs(10, 0.5) == 300'000);
  CHECK(prober::Pager::backoffMs(30, 1.0) == 300'000);
  CHECK(prober::Pager::backoffMs(30, 0.0) == 225'000);
}

TEST_CASE("a 400 can never succeed: dropped, counted, and the next one goes") {
  Harness h;
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger),
               Harness::row("api", prober::AlertAction::Resolve)});
  h.pager.poll();
  h.transport.answer(400, R"({"status":"invalid event"})");
  CHECK(h.counted["pd:rejected"] == 1);
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction(0) == "resolve");
}

TEST_CASE("a proxy's 403 or 404, or a 3xx, is retried for an hour, then given up as refused") {
  for (const int status : {301, 403, 404, 410}) {
    CAPTURE(status);
    Harness h;
    h.pager.add({Harness::row("api", prober::AlertAction::Trigger)});
    h.pager.poll();
    const std::int64_t first = h.clock.wallMs;
    int attempts = 0;
    while (!h.transport.sent.empty() && attempts < 100) {
      h.transport.answer(status, "<html>Forbidden</html>");
      ++attempts;
      h.clock.wallMs = std::max(h.clock.wallMs, h.pager.wakeAtMs());
      h.pager.poll();
    }
    CHECK(h.transport.sent.empty());
    CHECK(h.counted["pd:refused"] == attempts - 1);  // each retried, not dropped at once
    CHECK(h.counted["pd:rejected"] == 1);          // then given up, an hour on
    CHECK(h.clock.wallMs - first >= prober::Pager::kGiveUpRefusedAfterMs);
    CHECK(h.clock.wallMs - first < prober::Pager::kGiveUpRefusedAfterMs + 10 * 60'000);
    CHECK(h.answers.back().find("refused for 60 minutes") != std::string::npos);
    CHECK(h.pager.pending() == 0);
  }
}

TEST_CASE("Slack's named refusals are final; the same status without its name is retried") {
  Harness h;
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger, "chat"),
               Harness::row("web", prober::AlertAction::Trigger, "chat")});
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 2);
  h.transport.answer(404, "channel_not_found");
  h.transport.answer(400, "Bad Request");  // a proxy's 400, not Slack's invalid_payload
  CHECK(h.counted["chat:rejected"] == 1);
  CHECK(h.counted["chat:refused"] == 1);
  CHECK(h.pager.pending() == 1);
}

TEST_CASE("checks do not wait for each other") {
  Harness h;
  h.pager.add({Harness::row("a", prober::AlertAction::Trigger),
               Harness::row("b", prober::AlertAction::Trigger),
               Harness::row("a", prober::AlertAction::Trigger, "chat")});
  h.pager.poll();
  CHECK(h.transport.sent.size() == 3);
  CHECK(h.transport.sent[2].request.url == "http://127.0.0.1:1/hook");
}

TEST_CASE("a check's backlog from a receiver's outage does not hold back another check's page") {
  // A check flapped through a Slack outage: fifty triggers and resolves wait for it. A page for
  // another check decided after them takes its turn beside that backlog, not behind all of it
  // (at Slack's one message a second, behind it is almost two minutes).
  Harness h;
  std::vector<prober::OutboxRow> backlog;
  for (int i = 0; i < 50; ++i) {
    backlog.push_back(Harness::row(
        "flappy", i % 2 == 0 ? prober::AlertAction::Trigger : prober::AlertAction::Resolve,
        "chat"));
  }
  h.pager.add(backlog);
  std::vector<std::string> order;  // the check of each post, in order
  for (int guard = 0; guard < 10'000 && h.pager.pending() > 0; ++guard) {
    if (order.size() == 5) {  // the receiver is back and the backlog goes out, paced
      h.pager.add({Harness::row("checkout", prober::AlertAction::Trigger, "chat")});
    }
    h.pager.poll();
    while (!h.transport.sent.empty()) {
      const std::string& body = h.transport.sent.front().request.body;
      order.push_back(body.find("checkout") != std::string::npos ? "checkout" : "flappy");
      h.transport.answer(200);
    }
    if (h.pager.pending() > 0) {
      REQUIRE(h.pager.wakeAtMs() > h.clock.wallMs);
      h.clock.wallMs = h.pager.wakeAtMs();
    }
  }
  REQUIRE(order.size() == 51);
  const auto at = std::find(order.begin(), order.end(), "checkout") - order.begin();
  CHECK(at <= 6);  // the backlog's next post may go before it; no more
  // The backlog itself still goes out whole and in its order.
  CHECK(h.counted["chat:delivered"] == 51);
}

TEST_CASE("a hand-off drops queued triggers and the resolves that only end them") {
  // Queued for one check, PagerDuty down: a resolve owed for a trigger it took, then a trigger
  // and its resolve that it never heard of, then a last trigger. (A trigger that was tried, or
  // a reminder, keeps the resolve after it: it may have landed, or opened nothing.)
  Harness h;
  h.pager.add({Harness::row("api", prober::AlertAction::Resolve),
               Harness::row("api", prober::AlertAction::Trigger),
               Harness::row("api", prober::AlertAction::Resolve),
               Harness::row("api", prober::AlertAction::Trigger)});
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 1);
  h.transport.answer(503);  // the owed resolve waits to be tried again
  h.pager.dropTriggers("api", "left");
  CHECK(h.counted["pd:dropped"] == 3);
  CHECK(h.pager.pending() == 1);
  h.clock.wallMs = h.pager.wakeAtMs();
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 1);
  CHECK(h.sentAction(0) == "resolve");
  h.transport.answer(202);
  CHECK(h.pager.pending() == 0);
}

TEST_CASE("a hand-off keeps the resolve after a trigger that was tried or a reminder") {
  Harness h;
  // "api": its trigger timed out (it may have landed); "web": a reminder of a delivered page
  // waits, then its resolve.
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger),
               Harness::row("api", prober::AlertAction::Resolve)});
  auto reminder = Harness::row("web", prober::AlertAction::Trigger, "chat");
  reminder.resend = true;
  h.pager.add({Harness::row("web", prober::AlertAction::Resolve, "chat")});
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 2);
  h.transport.answer(0, "", "timed out");  // api's trigger
  h.transport.answer(503);                 // web's earlier resolve waits
  h.pager.add({reminder, Harness::row("web", prober::AlertAction::Resolve, "chat")});
  h.pager.dropTriggers("api", "left");
  h.pager.dropTriggers("web", "left");
  CHECK(h.counted["pd:dropped"] == 1);    // api's trigger; its resolve stays
  CHECK(h.counted["chat:dropped"] == 1);  // the reminder; the resolves stay
  CHECK(h.pager.pending() == 3);
}

TEST_CASE("events to one routing key are paced under 120 per minute") {
  Harness h;
  std::vector<prober::OutboxRow> rows;
  for (int i = 0; i < 300; ++i) {
    rows.push_back(Harness::row("check-" + std::to_string(i), prober::AlertAction::Trigger));
  }
  h.pager.add(rows);
  std::size_t sentInFirstMinute = 0;
  const std::int64_t start = h.clock.wallMs;
  for (int guard = 0; guard < 10'000 && h.pager.pending() > 0; ++guard) {
    h.pager.poll();
    while (!h.transport.sent.empty()) {
      if (h.clock.wallMs - start < 60'000) {
        ++sentInFirstMinute;
      }
      h.transport.answer(202);
    }
    if (h.pager.pending() > 0) {
      REQUIRE(h.pager.wakeAtMs() > h.clock.wallMs);
      h.clock.wallMs = h.pager.wakeAtMs();
    }
  }
  CHECK(h.pager.pending() == 0);
  CHECK(h.counted["pd:delivered"] == 300);
  CHECK(sentInFirstMinute <= 120);
  CHECK(sentInFirstMinute >= 100);  // paced, not starved
}

TEST_CASE("a wall clock stepped back holds back neither a retry nor the pacing") {
  Harness h;
  h.clock.wallMs = 1'700'000'000'000;
  h.clock.steadyMs = 0;
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger)});
  h.pager.poll();
  h.transport.answer(503);
  REQUIRE(h.pager.wakeAtMs() == h.clock.wallMs + 1000);
  h.clock.wallMs -= 3'600'000;  // NTP steps the clock back an hour
  h.clock.steadyMs += 1000;
  h.pager.poll();
  REQUIRE(h.transport.sent.size() == 1);  // the retry goes now, not an hour on
  h.transport.answer(202);

  // 300 pages after the step: paced as ever, not stopped for the hour.
  std::vector<prober::OutboxRow> rows;
  for (int i = 0; i < 300; ++i) {
    rows.push_back(Harness::row("check-" + std::to_string(i), prober::AlertAction::Trigger));
  }
  h.pager.add(rows);
  const std::int64_t start = h.clock.steadyMs;
  for (int guard = 0; guard < 10'000 && h.pager.pending() > 0; ++guard) {
    h.pager.poll();
    while (!h.transport.sent.empty()) {
      h.transport.answer(202);
    }
    if (h.pager.pending() > 0) {
      REQUIRE(h.pager.wakeAtMs() > h.clock.wallMs);
      h.clock.steadyMs += h.pager.wakeAtMs() - h.clock.wallMs;
      h.clock.wallMs = h.pager.wakeAtMs();
    }
    if (guard == 5) {
      h.clock.wallMs -= 600'000;  // and back again, mid-burst
    }
  }
  CHECK(h.counted["pd:delivered"] == 301);
  CHECK(h.clock.steadyMs - start < 4 * 60'000);  // 120 a minute, a burst first
}

TEST_CASE("a notification for a notifier that left the config is dropped loudly") {
  Harness h;
  h.pager.add({Harness::row("api", prober::AlertAction::Trigger, "gone")});
  h.pager.poll();
  CHECK(h.transport.sent.empty());
  CHECK(h.counted["gone:dropped"] == 1);
  CHECK(h.pager.pending() == 0);
}

TEST_CASE("the store keeps alert state and the outbox across reopening") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("prober-store-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string error;
  {
    auto store = prober::Store::open(dir.string(), error);
    REQUIRE_MESSAGE(store, error);
    std::vector<prober::OutboxRow> rows{Harness::row("api", prober::AlertAction::Trigger),
                                        Harness::row("api", prober::AlertAction::Trigger, "chat")};
    rows[0].event.failedAssertions = {"status == 200 (got 503)"};
    rows[0].via = R"({"type":"pagerduty"})";
    CHECK(store->syncsEveryCommit());  // alert state and the outbox survive a power loss
    prober::SavedAlert firing{true, 3, 1234, 0, {"pd", "chat"}};
    firing.pagedVia = {{"pd", "PD-SETTINGS"}, {"chat", "CHAT-SETTINGS"}};
    REQUIRE(store->recordTransition("api", firing, rows, error));
    CHECK(rows[0].id > 0);
    CHECK(rows[1].id > rows[0].id);
    CHECK(store->pendingCount(error) == 2);
    REQUIRE(store->markDelivered(rows[1].id, 5000, error));
    REQUIRE(store->markRetry(rows[0].id, 2, 9000, "HTTP 500", error));
  }
  {
    auto store = prober::Store::open(dir.string(), error);
    REQUIRE(store);
    const auto alerts = store->loadAlerts(error);
    REQUIRE(alerts.count("api") == 1);
    CHECK(alerts.at("api").firing);
    CHECK(alerts.at("api").consecutiveFailures == 3);
    CHECK(alerts.at("api").failingSinceMs == 1234);
    CHECK(alerts.at("api").notify == std::vector<std::string>{"pd", "chat"});
    CHECK(alerts.at("api").pagedVia.at("pd") == "PD-SETTINGS");  // resolved where it was paged
    CHECK(alerts.at("api").pagedVia.at("chat") == "CHAT-SETTINGS");
    const auto pending = store->loadPending(error);
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].notifier == "pd");
    CHECK(pending[0].attempts == 2);
    CHECK(pending[0].nextAttemptMs == 9000);
    CHECK(pending[0].via == R"({"type":"pagerduty"})");  // delivered as it was queued
    CHECK(pending[0].event.failedAssertions == std::vector<std::string>{"status == 200 (got 503)"});
    // A resolve deletes the alert state in the same transaction as its notification.
    std::vector<prober::OutboxRow> resolve{Harness::row("api", prober::AlertAction::Resolve)};
    REQUIRE(store->recordTransition("api", std::nullopt, resolve, error));
    CHECK(store->loadAlerts(error).empty());
    CHECK(store->loadPending(error).size() == 2);
    // Only finished notifications are pruned.
    REQUIRE(store->markDelivered(resolve[0].id, 6000, error));
    CHECK(store->pruneFinished(std::numeric_limits<std::int64_t>::max(), error) == 2);
    CHECK(store->loadPending(error).size() == 1);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a state directory that cannot be created is a clear error") {
  std::string error;
  CHECK_FALSE(prober::Store::open("/proc/prober-cannot-exist/state", error));
  CHECK(error.rfind("cannot create state_dir /proc/prober-cannot-exist/state: ", 0) == 0);
}
