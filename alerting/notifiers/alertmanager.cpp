#include "alerting/notifiers/alertmanager.h"

#include <boost/json.hpp>

#include "checks/json_text.h"
#include "checks/text.h"

namespace prober {

std::string_view alertmanagerAlertName(AlertKind kind) {
  switch (kind) {
    case AlertKind::Check: return "ProberCheckFailing";
    case AlertKind::Certificate: return "ProberCertificateExpiring";
    case AlertKind::SlashCommand: return "ProberPage";
    case AlertKind::Degraded: return "ProberCheckDegraded";
  }
  return "ProberCheckFailing";
}

namespace {

// What a responder reads after the summary: every failed assertion, and why the run failed.
std::string description(const AlertEvent& event) {
  if (event.kind == AlertKind::Certificate) {
    return "The certificate of " + event.url + " expires " + isoTimestampUtc(event.certExpiry);
  }
  std::string text;
  for (const auto& failure : event.failedAssertions) {
    text += (text.empty() ? "" : "; ") + failure;
  }
  if (event.failureReason != FailureReason::None) {
    text += std::string(text.empty() ? "" : " ") +
            "(reason: " + std::string(failureReasonName(event.failureReason)) + ")";
  }
  return text.empty() ? alertSummary(event) : text;
}

}  // namespace

std::string alertmanagerAlerts(const AlertEvent& event, const std::string& severity,
                               std::chrono::milliseconds resend, const std::string& externalUrl,
                               std::chrono::system_clock::time_point now) {
  boost::json::object labels;
  for (const auto& [key, value] : event.labels) {
    labels[key] = value;
  }
  labels["alertname"] = alertmanagerAlertName(event.kind);
  labels["check"] = event.check;
  if (!event.location.empty()) {
    labels["location"] = event.location;
  }
  const bool warning = event.kind == AlertKind::Certificate || event.kind == AlertKind::Degraded;
  labels["severity"] = warning ? std::string("warning") : severity;

  boost::json::object annotations{
      {"summary", cutToCharacters(validUtf8(alertSummary(event)), 1024)},
      {"description", cutToCharacters(validUtf8(description(event)), 4096)}};
  if (!event.url.empty()) {
    annotations["url"] = event.url;
  }
  if (event.kind == AlertKind::Check && event.action == AlertAction::Trigger) {
    annotations["consecutive_failures"] = std::to_string(event.consecutiveFailures);
  }

  // The alert started with the failure streak; a certificate alert when it was first seen.
  const bool knownStart =
      event.failingSince.time_since_epoch().count() > 0 && event.failingSince <= event.at;
  const auto startsAt = knownStart ? event.failingSince : event.at;
  const auto endsAt = event.action == AlertAction::Resolve
                          ? std::max(event.at, startsAt)
                          : now + 4 * std::max(resend, std::chrono::milliseconds(1000));
  boost::json::object alert{{"labels", std::move(labels)},
                            {"annotations", std::move(annotations)},
                            {"startsAt", isoTimestampUtc(startsAt)},
                            {"endsAt", isoTimestampUtc(endsAt)}};
  if (!externalUrl.empty() && event.kind != AlertKind::SlashCommand) {
    alert["generatorURL"] = checkPageUrl(externalUrl, event.check);
  }
  return toJsonText(boost::json::array{std::move(alert)});
}

std::string alertmanagerAlertsUrl(const std::string& baseUrl) {
  return withoutTrailingSlashes(baseUrl) + "/api/v2/alerts";
}

}  // namespace prober
