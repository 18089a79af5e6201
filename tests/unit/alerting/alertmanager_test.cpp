// Alertmanager's alerts, from events: labels (its identity), annotations, start and end.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "alerting/notifiers/alertmanager.h"

namespace {

using namespace std::chrono_literals;

prober::AlertEvent failing(prober::AlertAction action) {
  prober::AlertEvent event;
  event.action = action;
  event.check = "api";
  event.url = "https://api.example.com/health?key=${KEY}";
  // Config labels cannot replace the three that make the alert's identity.
  event.labels = {{"team", "payments"}, {"severity", "low"}, {"alertname", "Other"}};
  event.failingSince = prober::fromMillis(1'700'000'000'000);
  event.at = event.failingSince + 90s;
  event.consecutiveFailures = 3;
  event.failedAssertions = {"status == 200 (got 503)", "latency < 300ms (got 2.1s)"};
  event.failureReason = prober::FailureReason::HttpStatus;
  return event;
}

boost::json::object alertOf(const std::string& text) {
  const auto array = boost::json::parse(text).as_array();
  REQUIRE(array.size() == 1);
  return array.at(0).as_object();
}

}  // namespace

TEST_CASE("a trigger: identity labels, what failed, started with the streak, held 4 resends") {
  const auto now = prober::fromMillis(1'700'000'100'000);
  const auto alert = alertOf(prober::alertmanagerAlerts(
      failing(prober::AlertAction::Trigger), "critical", 60s, "http://prober.example.com/", now));
  CHECK(alert.at("labels") == boost::json::parse(R"({"alertname": "ProberCheckFailing",
      "check": "api", "severity": "critical", "team": "payments"})"));
  CHECK(alert.at("annotations") ==
        boost::json::parse(R"json({"summary": "api is failing: status == 200 (got 503)",
          "description": "status == 200 (got 503); latency < 300ms (got 2.1s) (reason: http_status)",
          "url": "https://api.example.com/health?key=${KEY}", "consecutive_failures": "3"})json"));
  CHECK(alert.at("startsAt") == "2023-11-14T22:13:20.000Z");
  CHECK(alert.at("endsAt") == "2023-11-14T22:19:00.000Z");  // now + 4 minutes
  CHECK(alert.at("generatorURL") == "http://prober.example.com/checks/api");
}

TEST_CASE("a resolve: the same labels, ended at the resolve") {
  const auto resolve =
      alertOf(prober::alertmanagerAlerts(failing(prober::AlertAction::Resolve), "critical", 60s, "",
                                         prober::fromMillis(1'800'000'000'000)));
  const auto trigger =
      alertOf(prober::alertmanagerAlerts(failing(prober::AlertAction::Trigger), "critical", 60s, "",
                                         prober::fromMillis(1'700'000'000'000)));
  CHECK(resolve.at("labels") == trigger.at("labels"));
  CHECK(resolve.at("endsAt") == "2023-11-14T22:14:50.000Z");
  CHECK(resolve.count("generatorURL") == 0);
}

TEST_CASE("a certificate alert is its own alert, at warning severity") {
  prober::AlertEvent event = failing(prober::AlertAction::Trigger);
  event.kind = prober::AlertKind::Certificate;
  event.failingSince = {};
  event.certExpiry = event.at + 24h * 10;
  event.certWarning = 24h * 21;
  const auto alert = alertOf(prober::alertmanagerAlerts(event, "critical", 60s, "", event.at));
  CHECK(alert.at("labels").at("alertname") == "ProberCertificateExpiring");
  CHECK(alert.at("labels").at("severity") == "warning");
  CHECK(alert.at("startsAt") == "2023-11-14T22:14:50.000Z");
  CHECK(std::string(alert.at("annotations").at("summary").as_string()).rfind("api: ", 0) == 0);
}

TEST_CASE("the API endpoint under a member's base URL") {
  CHECK(prober::alertmanagerAlertsUrl("http://am:9093") == "http://am:9093/api/v2/alerts");
  CHECK(prober::alertmanagerAlertsUrl("http://am:9093/") == "http://am:9093/api/v2/alerts");
  CHECK(prober::alertmanagerAlertsUrl("https://h/alertmanager//") ==
        "https://h/alertmanager/api/v2/alerts");
}

TEST_CASE("a location is a label of the alert, and degraded warnings are warnings") {
  auto event = failing(prober::AlertAction::Trigger);
  event.location = "tokyo";
  const auto located = alertOf(prober::alertmanagerAlerts(event, "critical", 60s, "", event.at));
  CHECK(located.at("labels").at("location") == "tokyo");
  CHECK(located.at("annotations").at("summary") ==
        "api is failing from tokyo: status == 200 (got 503)");
  event.kind = prober::AlertKind::Degraded;
  const auto degraded = alertOf(prober::alertmanagerAlerts(event, "critical", 60s, "", event.at));
  CHECK(degraded.at("labels").at("alertname") == "ProberCheckDegraded");
  CHECK(degraded.at("labels").at("severity") == "warning");
}
