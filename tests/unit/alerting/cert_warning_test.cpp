// cert_warning: what PagerDuty and Slack are told of a certificate warning (its own dedup key,
// warning severity, the expiry in words). When it fires and resolves: check_alerts_test.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>

#include "alerting/alert_event.h"
#include "alerting/notifiers/pagerduty.h"
#include "alerting/notifiers/slack.h"

using namespace std::chrono_literals;

namespace {

const auto kNow = std::chrono::system_clock::time_point(1'795'507'200'000ms);  // 2026-11-24 08:00

std::shared_ptr<prober::CheckSpec> warnedSpec(prober::Millis window) {
  auto spec = std::make_shared<prober::CheckSpec>();
  spec->name = "api";
  spec->certWarning = window;
  prober::StepSpec step;
  step.name = "api";
  step.url = "https://api.example.com/health";
  spec->steps.push_back(step);
  return spec;
}

}  // namespace

TEST_CASE("a certificate warning is its own PagerDuty incident, at warning severity") {
  const prober::AlertEvent event = prober::certAlertEventFor(
      prober::AlertAction::Trigger, *warnedSpec(21 * 24h), kNow + 12 * 24h + 3h, kNow);
  CHECK(prober::pagerDutyEvent(event, "KEY", "critical", "") ==
        R"js({"routing_key":"KEY","event_action":"trigger","dedup_key":"prober:api:cert",)js"
        R"js("payload":{"summary":"api: the TLS certificate expires in 12d3h )js"
        R"js((2026-12-06 11:00:00 UTC), within cert_warning 21d","source":"api.example.com",)js"
        R"js("severity":"warning","timestamp":"2026-11-24T08:00:00.000Z","component":"api",)js"
        R"js("class":"tls-certificate","custom_details":{"url":"https://api.example.com/health",)js"
        R"js("cert_expiry":"2026-12-06T11:00:00.000Z","cert_warning":"21d","labels":{}}},)js"
        R"js("client":"prober"})js");
  prober::AlertEvent resolve = event;
  resolve.action = prober::AlertAction::Resolve;
  CHECK(prober::pagerDutyEvent(resolve, "KEY", "critical", "") ==
        R"js({"routing_key":"KEY","event_action":"resolve","dedup_key":"prober:api:cert"})js");
}

TEST_CASE("an expired certificate's summary says how long ago") {
  const prober::AlertEvent event = prober::certAlertEventFor(
      prober::AlertAction::Trigger, *warnedSpec(21 * 24h), kNow - 2 * 24h, kNow);
  CHECK(prober::certSummary(event) ==
        "api: the TLS certificate expired 2d ago (2026-11-22 08:00:00 UTC)");
}

TEST_CASE("certificate alerts survive the outbox's JSON and keep their own store key") {
  const prober::AlertEvent event = prober::certAlertEventFor(
      prober::AlertAction::Trigger, *warnedSpec(21 * 24h), kNow + 5 * 24h, kNow);
  const auto back = prober::alertEventFromJson(prober::toJson(event));
  REQUIRE(back.has_value());
  CHECK(back->kind == prober::AlertKind::Certificate);
  CHECK(back->certExpiry == event.certExpiry);
  CHECK(back->certWarning == event.certWarning);
  CHECK(prober::alertKey("api", prober::AlertKind::Certificate) == "api#cert");
  CHECK(prober::parseAlertKey("api#cert") ==
        std::pair<std::string, prober::AlertKind>{"api", prober::AlertKind::Certificate});
  CHECK(prober::parseAlertKey("api:cert") ==
        std::pair<std::string, prober::AlertKind>{"api:cert", prober::AlertKind::Check});
  // A page from Slack: its key cannot be mistaken for a check's, whatever the check is named.
  CHECK(prober::alertKey("slack:U1:5", prober::AlertKind::SlashCommand) == "#slack:U1:5");
  CHECK(prober::parseAlertKey("#slack:U1:5") ==
        std::pair<std::string, prober::AlertKind>{"slack:U1:5", prober::AlertKind::SlashCommand});
}

TEST_CASE("Slack hears of a certificate warning in amber, and of its renewal") {
  const prober::AlertEvent event = prober::certAlertEventFor(
      prober::AlertAction::Trigger, *warnedSpec(21 * 24h), kNow + 5 * 24h, kNow);
  const auto json = boost::json::parse(prober::slackMessage(event, ""));
  CHECK(json.at("text").as_string() == ":warning: *api*: its TLS certificate expires soon");
  CHECK(json.at("attachments").at(0).at("color").as_string() == "#daa038");
  prober::AlertEvent renewed = event;
  renewed.action = prober::AlertAction::Resolve;
  const auto back = boost::json::parse(prober::slackMessage(renewed, ""));
  CHECK(back.at("text").as_string() == ":white_check_mark: *api*: its TLS certificate was renewed");
}
