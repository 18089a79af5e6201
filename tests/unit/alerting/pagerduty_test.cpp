// The PagerDuty and Slack payload builders are pure functions: tested against exact JSON.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>

#include "alerting/alert_event.h"
#include "alerting/notifiers/pagerduty.h"
#include "alerting/notifiers/slack.h"
#include "checks/check_spec.h"
#include "checks/text.h"

using namespace std::chrono_literals;

namespace {

prober::AlertEvent triggerEvent() {
  prober::AlertEvent event;
  event.action = prober::AlertAction::Trigger;
  event.check = "api-health";
  event.url = "https://api.example.com/health";
  event.labels = {{"team", "payments"}, {"env", "prod"}};
  event.at = std::chrono::system_clock::time_point(1'795'507'200'000ms);  // 2026-11-24T08:00:00Z
  event.failingSince = event.at - 90s;
  event.consecutiveFailures = 3;
  event.failedAssertions = {"status == 200 (got 503)"};
  event.failureReason = prober::FailureReason::HttpStatus;
  event.latencyMs = 41.7;
  return event;
}

}  // namespace

TEST_CASE("a trigger is exactly the documented event") {
  CHECK(prober::pagerDutyEvent(triggerEvent(), "KEY", "critical", "http://prober.example.com:9115") ==
        R"js({"routing_key":"KEY","event_action":"trigger","dedup_key":"prober:api-health",)js"
        R"js("payload":{"summary":"api-health is failing: status == 200 (got 503)","source":"api.example.com",)js"
        R"js("severity":"critical","timestamp":"2026-11-24T08:00:00.000Z","component":"api-health",)js"
        R"js("group":"payments","class":"synthetic-check","custom_details":{"url":"https://api.example.com/health",)js"
        R"js("consecutive_failures":3,"failed_assertions":["status == 200 (got 503)"],"reason":"http_status","latency_ms":41.7,)js"
        R"js("labels":{"env":"prod","team":"payments"}}},"client":"prober",)js"
        R"js("client_url":"http://prober.example.com:9115/checks/api-health"})js");
}

TEST_CASE("a resolve is routing_key, event_action and dedup_key only") {
  prober::AlertEvent event = triggerEvent();
  event.action = prober::AlertAction::Resolve;
  CHECK(prober::pagerDutyEvent(event, "KEY", "critical", "") ==
        R"js({"routing_key":"KEY","event_action":"resolve","dedup_key":"prober:api-health"})js");
}

TEST_CASE("without a team label there is no group; without external_url no client_url") {
  prober::AlertEvent event = triggerEvent();
  event.labels = {{"env", "prod"}};
  const std::string body = prober::pagerDutyEvent(event, "KEY", "warning", "");
  CHECK(body.find("\"group\"") == std::string::npos);
  CHECK(body.find("\"client_url\"") == std::string::npos);
  CHECK(body.find(R"js("severity":"warning")js") != std::string::npos);
}

TEST_CASE("the summary is cut to 1024 characters, not bytes, without splitting a character") {
  const auto summaryOf = [](const std::string& body) {
    const auto value = boost::json::parse(body).at("payload").at("summary").as_string();
    return std::string(value.data(), value.size());
  };
  prober::AlertEvent event = triggerEvent();
  event.failedAssertions = {std::string(2000, 'x')};
  const std::string plain = summaryOf(prober::pagerDutyEvent(event, "KEY", "critical", ""));
  CHECK(plain.size() == 1024);
  CHECK(plain.substr(1021) == "...");

  // 1,024 characters of two bytes each (2,048 bytes) are within the limit: kept whole.
  std::string accents;
  for (int i = 0; i < 1024; ++i) {
    accents += "\xC3\xA9";
  }
  event.summary = accents;
  CHECK(summaryOf(prober::pagerDutyEvent(event, "KEY", "critical", "")) == accents);

  // One more character: cut to 1,021 characters and "...", every é whole.
  event.summary = accents + "\xE9\x9A\x9C";
  const std::string cut = summaryOf(prober::pagerDutyEvent(event, "KEY", "critical", ""));
  CHECK(prober::countCharacters(cut) == 1024);
  CHECK(cut == accents.substr(0, 2 * 1021) + "...");

  // Invalid bytes in a summary are replaced, so the event stays valid JSON text.
  event.summary = "down: \xFF\xFE";
  CHECK(summaryOf(prober::pagerDutyEvent(event, "KEY", "critical", "")) ==
        "down: \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("every dedup_key fits PagerDuty's 255 bytes for the longest name a config allows") {
  const std::string name(prober::kMaxCheckNameLength, 'n');
  for (const auto kind : {prober::AlertKind::Check, prober::AlertKind::Certificate}) {
    CHECK(prober::pagerDutyDedupKey(name, kind).size() <= 255);
  }
}

TEST_CASE("the source is the URL's host") {
  CHECK(prober::hostOfUrl("https://api.example.com:8443/x?y") == "api.example.com");
  CHECK(prober::hostOfUrl("http://user:pw@host.example/") == "host.example");
  CHECK(prober::hostOfUrl("http://[::1]:80/") == "::1");
  CHECK(prober::hostOfUrl("http://127.0.0.1") == "127.0.0.1");
}

TEST_CASE("Slack: a red trigger saying what, since when and why in plain words") {
  CHECK(
      prober::slackMessage(triggerEvent(), "http://prober.example.com:9115") ==
      R"js({"text":":red_circle: *api-health* is down","attachments":[{"color":"#d00000",)js"
      R"js("title":"api-health is failing","text":"expected status == 200, but got 503",)js"
        R"js("title_link":"http://prober.example.com:9115/checks/api-health",)js"
      R"js("fields":[{"title":"Down since","value":"2026-11-24 07:58:30 UTC","short":true},)js"
      R"js({"title":"Failed runs in a row","value":"3","short":true},)js"
      R"js({"title":"URL","value":"https://api.example.com/health","short":false}],)js"
      R"js("footer":"prober","ts":1795507200}]})js");
}

TEST_CASE("Slack: a green resolve saying how long it was down") {
  prober::AlertEvent event = triggerEvent();
  event.action = prober::AlertAction::Resolve;
  const std::string message = prober::slackMessage(event, "");
  CHECK(message.find(R"js("color":"#2eb886")js") != std::string::npos);
  CHECK(message.find(R"js("text":"It was down for 90s (since 2026-11-24 07:58:30 UTC).")js") !=
        std::string::npos);
  CHECK(message.find("title_link") == std::string::npos);

  // Resolved at a wall time before it went down (NTP stepped the clock back): no negative length.
  event.at = event.failingSince - std::chrono::hours(1);
  const std::string stepped = prober::slackMessage(event, "");
  CHECK(
      stepped.find(
          R"js("text":"It was down since 2026-11-24 07:58:30 UTC (the clock was set back meanwhile).")js") !=
      std::string::npos);
  CHECK(stepped.find("down for") == std::string::npos);
}

TEST_CASE("Slack: a resolve reads the same before and after the store keeps it (a restart)") {
  // Down 182.9996 s by the clock: kept to the millisecond at once, it cannot read "3m2s" when
  // first posted and "3m3s" when posted again after a restart. (The simulation saw both.)
  prober::CheckSpec spec;
  spec.name = "api";
  const auto since = std::chrono::system_clock::time_point(1795507200s) + 400us;
  const prober::AlertEvent event = prober::alertEventFor(prober::AlertAction::Resolve, spec,
                                                         nullptr, 0, since, since + 182999600us);
  const auto stored = prober::alertEventFromJson(prober::toJson(event));
  REQUIRE(stored.has_value());
  CHECK(prober::slackMessage(*stored, "") == prober::slackMessage(event, ""));
}

TEST_CASE("failed assertions in plain words") {
  CHECK(prober::plainWords("status == 200 (got 503)") == "expected status == 200, but got 503");
  CHECK(prober::plainWords("json $.a exists ($.a not found)") ==
        "expected json $.a exists, but $.a not found");
  CHECK(prober::plainWords("connection refused") == "connection refused");
}
