#pragma once
// What a notifier is told when an alert fires or resolves: captured at the transition, stored
// in the outbox as JSON (no secrets in it), rendered per notifier at delivery time.
#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

enum class AlertAction { Trigger, Resolve };

// What the alert is about: the check failing, or its certificate expiring soon (cert_warning:
// its own alert, paged at warning severity, while the check may well be up), or a person paging
// from Slack (check "slack:USER_ID:MILLIS", the summary their text, labels who and where), or
// the check passing but degraded (its `degraded` assertions failing: a warning of its own).
enum class AlertKind { Check, Certificate, SlashCommand, Degraded };

struct AlertEvent {
  AlertAction action = AlertAction::Trigger;
  AlertKind kind = AlertKind::Check;
  std::string check;
  std::string url;  // as written in the config: ${VAR} unexpanded
  std::map<std::string, std::string> labels;
  std::chrono::system_clock::time_point at;            // when it fired or resolved
  std::chrono::system_clock::time_point failingSince;  // first failure of the streak
  int consecutiveFailures = 0;
  std::vector<std::string> failedAssertions;          // "status == 200 (got 503)"
  FailureReason failureReason = FailureReason::None;  // why it fired (None on a resolve)
  double latencyMs = 0;
  std::string summary;  // free text for pages not caused by a check (slash commands)
  // AlertKind::Certificate: when the certificate expires, and the cert_warning window.
  std::chrono::system_clock::time_point certExpiry;
  std::chrono::milliseconds certWarning{0};
  // `[prober] location` of the instance that saw it ("" when not set): named in every page.
  std::string location;
};

// The event for a certificate alert: fires when `expiry` is within the check's cert_warning.
AlertEvent certAlertEventFor(AlertAction action, const CheckSpec& spec,
                             std::chrono::system_clock::time_point expiry,
                             std::chrono::system_clock::time_point at);

// Where a check's alert lives in the store and the outbox: the check's name, NAME#cert for
// its certificate alert, NAME#degraded for its degraded warning, #NAME for a page from Slack
// ('#' is not allowed in check names, so they never collide).
std::string alertKey(const std::string& check, AlertKind kind);
// The check (for a Slack page, its "slack:USER:MILLIS") and kind behind a stored key.
std::pair<std::string, AlertKind> parseAlertKey(const std::string& key);

// The page a person sent from Slack: `text` is the summary; the labels slack_user,
// slack_user_id, slack_channel, slack_channel_id and slack_team_id say who and from where.
AlertEvent slashCommandEventFor(const std::string& text, const std::string& teamId,
                                const std::string& channelId, const std::string& channelName,
                                const std::string& userId, const std::string& userName,
                                std::chrono::system_clock::time_point at);

// The event for a check's transition; `last` is the run that caused it (may be null when a
// check is resolved because it left the config).
AlertEvent alertEventFor(AlertAction action, const CheckSpec& spec, const RunResult* last,
                         int consecutiveFailures,
                         std::chrono::system_clock::time_point failingSince,
                         std::chrono::system_clock::time_point at);

// The event for a check's degraded warning: its failed `degraded` assertions stand where a
// failing check's failures would; `degradedRuns` counts the degraded runs that fired it.
AlertEvent degradedAlertEventFor(AlertAction action, const CheckSpec& spec, const RunResult* last,
                                 int degradedRuns, std::chrono::system_clock::time_point since,
                                 std::chrono::system_clock::time_point at);

// The one-line summary of a certificate alert: "api: the TLS certificate expires in 12d3h
// (2026-12-07 10:00:00 UTC), within cert_warning 21d".
std::string certSummary(const AlertEvent& event);

// The one line a trigger is summed up in: the certificate summary, a person's own words,
// "api is degraded: latency < 300ms (got 412ms)" or "api is failing: status == 200 (got 503)".
std::string alertSummary(const AlertEvent& event);

// The check's page under external_url ("http://prober:9115/checks/api"), trailing slashes of
// the base dropped; "" when no external_url is set. Pages, Slack and Alertmanager link to it.
std::string checkPageUrl(const std::string& externalUrl, const std::string& check);
// `url` without trailing slashes: a base that paths are appended to.
std::string withoutTrailingSlashes(std::string url);

std::string_view actionName(AlertAction action);  // "trigger" | "resolve"
std::optional<AlertAction> parseAction(std::string_view name);

boost::json::value toJson(const AlertEvent& event);
// nullopt when the stored JSON is not an event (a damaged row).
std::optional<AlertEvent> alertEventFromJson(const boost::json::value& json);

// "2026-11-24T08:00:00.000Z"
std::string isoTimestampUtc(std::chrono::system_clock::time_point at);
// "2026-11-24 08:00:00 UTC", for people.
std::string readableUtc(std::chrono::system_clock::time_point at);

// Unix milliseconds, as the store and the history keep time.
std::int64_t toMillis(std::chrono::system_clock::time_point at);
std::chrono::system_clock::time_point fromMillis(std::int64_t ms);

}  // namespace prober
