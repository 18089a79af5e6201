// The PagerDuty and Slack payload builders are pure functions: tested against exact JSON.
#include <doctest/doctest.h>

#include <chrono>

#include "alerting/pagerduty.h"
#include "alerting/slack.h"

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
  event.failureReason = "http_status";
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
        R"js("consecutive_failures":3,"failed_assertions":["status == 200 (got 503)"],"reason":"http_status","latency_ms":4.17E1,)js"
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

TEST_CASE("the summary is cut to 1024 characters without splitting a character") {
  prober::AlertEvent event = triggerEvent();
  event.failedAssertions = {std::string(2000, 'x')};
  const std::string body = prober::pagerDutyEvent(event, "KEY", "critical", "");
  const auto start = body.find(R"js("summary":")js") + 11;
  const auto end = body.find('"', start);
  CHECK(end - start == 1024);

  event.summary = std::string(1023, 'y') + "\xC3\xA9";  // 1025 bytes, the last character 2 bytes
  const std::string cut = prober::pagerDutyEvent(event, "KEY", "critical", "");
  const auto cutStart = cut.find(R"js("summary":")js") + 11;
  CHECK(cut.find('"', cutStart) - cutStart == 1023);  // the é would straddle 1024: dropped whole
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
}

TEST_CASE("failed assertions in plain words") {
  CHECK(prober::plainWords("status == 200 (got 503)") == "expected status == 200, but got 503");
  CHECK(prober::plainWords("json $.a exists ($.a not found)") ==
        "expected json $.a exists, but $.a not found");
  CHECK(prober::plainWords("connection refused") == "connection refused");
}
