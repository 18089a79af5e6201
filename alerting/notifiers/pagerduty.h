#pragma once
// PagerDuty Events API v2 payloads (SPEC §5), built by pure functions.
#include <string>

#include "alerting/alert_event.h"
#include "checks/url.h"  // hostOfUrl gives the event's `source`

namespace prober {

inline constexpr std::size_t kPagerDutySummaryLimit = 1024;

// "prober:" + check name, and "prober:NAME:cert" for its certificate alert: the same alert
// always maps to the same incident.
std::string pagerDutyDedupKey(const std::string& check, AlertKind kind = AlertKind::Check);

// The event to POST for `event`: a full trigger, or {routing_key, event_action, dedup_key}
// for a resolve. `externalUrl` (may be empty) makes client_url point at the status page.
std::string pagerDutyEvent(const AlertEvent& event, const std::string& routingKey,
                           const std::string& severity, const std::string& externalUrl);

// The host of a URL, for the event's `source`: "https://api.example.com:8443/x" ->
// "api.example.com".
std::string hostOfUrl(const std::string& url);

}  // namespace prober
