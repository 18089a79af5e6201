#include "alerting/notifiers/pagerduty.h"

#include <boost/json.hpp>

#include "checks/duration.h"
#include "checks/json_text.h"
#include "checks/text.h"

namespace prober {

std::string pagerDutyDedupKey(const std::string& check, AlertKind kind) {
  switch (kind) {
    case AlertKind::Certificate: return "prober:" + check + ":cert";
    case AlertKind::Degraded: return "prober:" + check + ":degraded";
    default: return "prober:" + check;
  }
}

namespace {

// PagerDuty refuses a summary over 1024 characters (SPEC §9): cut between characters.
std::string pagerDutySummary(const std::string& text) {
  return cutToCharacters(validUtf8(text), kPagerDutySummaryLimit);
}

std::string label(const AlertEvent& event, const std::string& key) {
  const auto it = event.labels.find(key);
  return it == event.labels.end() ? std::string() : it->second;
}

// A person paged from Slack: their words are the summary; the details say who and from where.
boost::json::object slashCommandPayload(const AlertEvent& event, const std::string& severity) {
  const std::string channel = label(event, "slack_channel");
  return boost::json::object{
      {"summary", pagerDutySummary(event.summary)},
      {"source", "slack"},
      {"severity", severity},
      {"timestamp", isoTimestampUtc(event.at)},
      {"component", channel.empty() ? label(event, "slack_channel_id") : "#" + channel},
      {"class", "slack-page"},
      {"custom_details",
       boost::json::object{
           {"paged_by", label(event, "slack_user") + " (" + label(event, "slack_user_id") + ")"},
           {"slack_channel", "#" + channel + " (" + label(event, "slack_channel_id") + ")"},
           {"slack_team_id", label(event, "slack_team_id")},
           {"text", event.summary}}}};
}

}  // namespace

std::string pagerDutyEvent(const AlertEvent& event, const std::string& routingKey,
                           const std::string& severity, const std::string& externalUrl) {
  const std::string dedupKey = pagerDutyDedupKey(event.check, event.kind);
  if (event.action == AlertAction::Resolve) {
    return toJsonText(boost::json::object{
        {"routing_key", routingKey}, {"event_action", "resolve"}, {"dedup_key", dedupKey}});
  }
  if (event.kind == AlertKind::SlashCommand) {
    return toJsonText(boost::json::object{{"routing_key", routingKey},
                                          {"event_action", "trigger"},
                                          {"dedup_key", dedupKey},
                                          {"payload", slashCommandPayload(event, severity)},
                                          {"client", "prober"}});
  }
  const bool cert = event.kind == AlertKind::Certificate;
  const bool degraded = event.kind == AlertKind::Degraded;
  const std::string summary = alertSummary(event);
  boost::json::array failures;
  for (const auto& failure : event.failedAssertions) {
    failures.emplace_back(failure);
  }
  boost::json::object labels;
  for (const auto& [key, value] : event.labels) {
    labels[key] = value;
  }
  boost::json::object payload{
      {"summary", pagerDutySummary(summary)},
      {"source", event.url.empty() ? std::string("prober") : hostOfUrl(event.url)},
      // Expiring soon or slow is not down.
      {"severity", cert || degraded ? std::string("warning") : severity},
      {"timestamp", isoTimestampUtc(event.at)},
      {"component", event.check}};
  if (auto team = event.labels.find("team"); team != event.labels.end()) {
    payload["group"] = team->second;
  }
  payload["class"] =
      cert ? "tls-certificate" : (degraded ? "synthetic-check-degraded" : "synthetic-check");
  boost::json::object details{{"url", event.url}};
  if (cert) {
    details["cert_expiry"] = isoTimestampUtc(event.certExpiry);
    details["cert_warning"] = formatDuration(event.certWarning);
  } else if (degraded) {
    details["degraded_runs"] = event.consecutiveFailures;
    details["degraded_assertions"] = std::move(failures);
  } else {
    details["consecutive_failures"] = event.consecutiveFailures;
    details["failed_assertions"] = std::move(failures);
  }
  if (event.failureReason != FailureReason::None) {
    details["reason"] = failureReasonName(event.failureReason);
  }
  if (!cert) {
    details["latency_ms"] = event.latencyMs;
  }
  details["labels"] = std::move(labels);
  if (!event.location.empty()) {
    details["location"] = event.location;
  }
  payload["custom_details"] = std::move(details);
  boost::json::object body{{"routing_key", routingKey},
                           {"event_action", "trigger"},
                           {"dedup_key", dedupKey},
                           {"payload", std::move(payload)},
                           {"client", "prober"}};
  if (!externalUrl.empty()) {
    body["client_url"] = checkPageUrl(externalUrl, event.check);
  }
  return toJsonText(body);
}

}  // namespace prober
