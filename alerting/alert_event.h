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

struct AlertEvent {
  AlertAction action = AlertAction::Trigger;
  std::string check;
  std::string url;  // as written in the config: ${VAR} unexpanded
  std::map<std::string, std::string> labels;
  std::chrono::system_clock::time_point at;            // when it fired or resolved
  std::chrono::system_clock::time_point failingSince;  // first failure of the streak
  int consecutiveFailures = 0;
  std::vector<std::string> failedAssertions;  // "status == 200 (got 503)"
  std::string failureReason;                  // "http_status", "timeout", ... ("" on resolve)
  double latencyMs = 0;
  std::string summary;  // free text for pages not caused by a check (slash commands)
};

// The event for a check's transition; `last` is the run that caused it (may be null when a
// check is resolved because it left the config).
AlertEvent alertEventFor(AlertAction action, const CheckSpec& spec, const RunResult* last,
                         int consecutiveFailures,
                         std::chrono::system_clock::time_point failingSince,
                         std::chrono::system_clock::time_point at);

std::string_view actionName(AlertAction action);  // "trigger" | "resolve"
std::optional<AlertAction> parseAction(std::string_view name);

boost::json::value toJson(const AlertEvent& event);
// nullopt when the stored JSON is not an event (a damaged row).
std::optional<AlertEvent> alertEventFromJson(const boost::json::value& json);

// "2026-11-24T08:00:00.000Z"
std::string isoTimestampUtc(std::chrono::system_clock::time_point at);

}  // namespace prober
