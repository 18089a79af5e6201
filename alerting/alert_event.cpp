#include "alerting/alert_event.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "checks/duration.h"
#include "checks/utc_time.h"

namespace prober {

std::int64_t toMillis(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

std::chrono::system_clock::time_point fromMillis(std::int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

namespace {

// Event times are kept to the millisecond, as the store keeps them: an event delivered after a
// restart reads exactly as it would have before (a Slack message's "down for 3m2s" included).
std::chrono::system_clock::time_point toEventTime(std::chrono::system_clock::time_point at) {
  return std::chrono::floor<std::chrono::milliseconds>(at);
}

// What every event about a check says: which check, where it probes (as written), its labels.
AlertEvent eventAbout(AlertAction action, const CheckSpec& spec,
                      std::chrono::system_clock::time_point at) {
  AlertEvent event;
  event.action = action;
  event.check = spec.name;
  event.url = spec.displayUrl();
  event.labels = spec.labels;
  event.at = toEventTime(at);
  return event;
}

}  // namespace

AlertEvent alertEventFor(AlertAction action, const CheckSpec& spec, const RunResult* last,
                         int consecutiveFailures,
                         std::chrono::system_clock::time_point failingSince,
                         std::chrono::system_clock::time_point at) {
  AlertEvent event = eventAbout(action, spec, at);
  event.failingSince = toEventTime(failingSince);
  event.consecutiveFailures = consecutiveFailures;
  if (last != nullptr) {
    event.latencyMs = last->durationSeconds * 1000.0;
    event.failedAssertions = last->failures();
    if (!last->passed) {
      event.failureReason = last->failureReason();
    }
  }
  return event;
}

AlertEvent certAlertEventFor(AlertAction action, const CheckSpec& spec,
                             std::chrono::system_clock::time_point expiry,
                             std::chrono::system_clock::time_point at) {
  AlertEvent event = eventAbout(action, spec, at);
  event.kind = AlertKind::Certificate;
  event.failingSince = event.at;
  event.certExpiry = toEventTime(expiry);
  event.certWarning = spec.certWarning;
  return event;
}

AlertEvent degradedAlertEventFor(AlertAction action, const CheckSpec& spec, const RunResult* last,
                                 int degradedRuns, std::chrono::system_clock::time_point since,
                                 std::chrono::system_clock::time_point at) {
  AlertEvent event = alertEventFor(action, spec, last, degradedRuns, since, at);
  event.kind = AlertKind::Degraded;
  event.failedAssertions.clear();
  if (last != nullptr) {
    for (const StepOutcome& step : last->steps) {
      for (const std::string& degradation : step.verdict.degradations) {
        event.failedAssertions.push_back(last->multiStep ? "step " + step.name + ": " + degradation
                                                         : degradation);
      }
    }
  }
  return event;
}

std::string alertKey(const std::string& check, AlertKind kind) {
  switch (kind) {
    case AlertKind::Certificate: return check + "#cert";
    case AlertKind::Degraded: return check + "#degraded";
    case AlertKind::SlashCommand: return "#" + check;
    case AlertKind::Check: break;
  }
  return check;
}

AlertEvent slashCommandEventFor(const std::string& text, const std::string& teamId,
                                const std::string& channelId, const std::string& channelName,
                                const std::string& userId, const std::string& userName,
                                std::chrono::system_clock::time_point at) {
  AlertEvent event;
  event.action = AlertAction::Trigger;
  event.kind = AlertKind::SlashCommand;
  event.check = "slack:" + userId + ":" + std::to_string(toMillis(at));
  event.summary = text;
  event.at = toEventTime(at);
  event.failingSince = event.at;
  event.labels = {{"slack_user", userName},
                  {"slack_user_id", userId},
                  {"slack_channel", channelName},
                  {"slack_channel_id", channelId},
                  {"slack_team_id", teamId}};
  return event;
}

std::pair<std::string, AlertKind> parseAlertKey(const std::string& key) {
  if (!key.empty() && key.front() == '#') {
    return {key.substr(1), AlertKind::SlashCommand};
  }
  for (const AlertKind kind : {AlertKind::Certificate, AlertKind::Degraded}) {
    const std::string suffix = alertKey("", kind);
    if (key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return {key.substr(0, key.size() - suffix.size()), kind};
    }
  }
  return {key, AlertKind::Check};
}

std::string readableUtc(std::chrono::system_clock::time_point at) {
  const std::string iso = isoTimestampUtc(at);
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
}

std::string certSummary(const AlertEvent& event) {
  const double left = std::chrono::duration<double>(event.certExpiry - event.at).count();
  const std::string date = readableUtc(event.certExpiry);
  if (left <= 0) {
    return fmt::format("{}: the TLS certificate expired {} ago ({})", event.check,
                       formatSeconds(-left), date);
  }
  return fmt::format("{}: the TLS certificate expires in {} ({}), within cert_warning {}",
                     event.check, formatSeconds(left), date, formatDuration(event.certWarning));
}

std::string alertSummary(const AlertEvent& event) {
  if (event.kind == AlertKind::Certificate) {
    return certSummary(event);
  }
  if (!event.summary.empty()) {
    return event.summary;
  }
  std::string summary =
      event.check + (event.kind == AlertKind::Degraded ? " is degraded" : " is failing");
  if (!event.location.empty()) {
    summary += " from " + event.location;
  }
  if (!event.failedAssertions.empty()) {
    summary += ": " + event.failedAssertions.front();
  }
  return summary;
}

std::string withoutTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

std::string checkPageUrl(const std::string& externalUrl, const std::string& check) {
  return externalUrl.empty() ? std::string()
                             : withoutTrailingSlashes(externalUrl) + "/checks/" + check;
}

std::string_view actionName(AlertAction action) {
  return action == AlertAction::Trigger ? "trigger" : "resolve";
}

std::optional<AlertAction> parseAction(std::string_view name) {
  if (name == "trigger") {
    return AlertAction::Trigger;
  }
  if (name == "resolve") {
    return AlertAction::Resolve;
  }
  return std::nullopt;
}

std::string isoTimestampUtc(std::chrono::system_clock::time_point at) {
  const std::int64_t millis = toMillis(at);
  return fmt::format("{}.{:03}Z", formatUtc(millis, "%Y-%m-%dT%H:%M:%S"), millis % 1000);
}

boost::json::value toJson(const AlertEvent& event) {
  boost::json::object labels;
  for (const auto& [key, value] : event.labels) {
    labels[key] = value;
  }
  boost::json::array failures;
  for (const auto& failure : event.failedAssertions) {
    failures.emplace_back(failure);
  }
  boost::json::object out{
      {"action", actionName(event.action)},
      {"check", event.check},
      {"url", event.url},
      {"labels", std::move(labels)},
      {"at_ms", toMillis(event.at)},
      {"failing_since_ms", toMillis(event.failingSince)},
      {"consecutive_failures", event.consecutiveFailures},
      {"failed_assertions", std::move(failures)},
      {"failure_reason", event.failureReason == FailureReason::None
                             ? std::string()
                             : std::string(failureReasonName(event.failureReason))},
      {"latency_ms", event.latencyMs},
      {"summary", event.summary}};
  if (event.kind == AlertKind::SlashCommand) {
    out["kind"] = "slack";
  }
  if (event.kind == AlertKind::Degraded) {
    out["kind"] = "degraded";
  }
  if (!event.location.empty()) {
    out["location"] = event.location;
  }
  if (event.kind == AlertKind::Certificate) {
    out["kind"] = "cert";
    out["cert_expiry_ms"] = toMillis(event.certExpiry);
    out["cert_warning_ms"] = event.certWarning.count();
  }
  return out;
}

std::optional<AlertEvent> alertEventFromJson(const boost::json::value& json) {
  const auto* object = json.if_object();
  if (object == nullptr) {
    return std::nullopt;
  }
  try {
    AlertEvent event;
    auto action = parseAction(object->at("action").as_string());
    if (!action) {
      return std::nullopt;
    }
    event.action = *action;
    event.check = std::string(object->at("check").as_string());
    event.url = std::string(object->at("url").as_string());
    for (const auto& [key, value] : object->at("labels").as_object()) {
      event.labels[std::string(key)] = std::string(value.as_string());
    }
    event.at = fromMillis(object->at("at_ms").to_number<std::int64_t>());
    event.failingSince = fromMillis(object->at("failing_since_ms").to_number<std::int64_t>());
    event.consecutiveFailures = object->at("consecutive_failures").to_number<int>();
    for (const auto& failure : object->at("failed_assertions").as_array()) {
      event.failedAssertions.emplace_back(failure.as_string());
    }
    if (const auto* reason = object->if_contains("failure_reason")) {  // absent in old rows
      event.failureReason = parseFailureReason(reason->as_string()).value_or(FailureReason::None);
    }
    event.latencyMs = object->at("latency_ms").to_number<double>();
    event.summary = std::string(object->at("summary").as_string());
    if (const auto* kind = object->if_contains("kind"); kind != nullptr && *kind == "slack") {
      event.kind = AlertKind::SlashCommand;
    }
    if (const auto* kind = object->if_contains("kind"); kind != nullptr && *kind == "degraded") {
      event.kind = AlertKind::Degraded;
    }
    if (const auto* location = object->if_contains("location")) {
      event.location = std::string(location->as_string());
    }
    if (const auto* kind = object->if_contains("kind"); kind != nullptr && *kind == "cert") {
      event.kind = AlertKind::Certificate;
      event.certExpiry = fromMillis(object->at("cert_expiry_ms").to_number<std::int64_t>());
      event.certWarning =
          std::chrono::milliseconds(object->at("cert_warning_ms").to_number<std::int64_t>());
    }
    return event;
  } catch (const std::exception&) {
    return std::nullopt;  // a field is missing or has the wrong type
  }
}

}  // namespace prober
