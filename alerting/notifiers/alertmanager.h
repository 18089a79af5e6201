#pragma once
// Alertmanager API v2 payloads (POST /api/v2/alerts), built by a pure function. Alertmanager
// tells alerts apart by their labels, so a trigger, each re-send while it fires, and its
// resolve carry the same labels; `endsAt` says until when the alert holds.
#include <chrono>
#include <string>

#include "alerting/alert_event.h"

namespace prober {

// "ProberCheckFailing", "ProberCertificateExpiring", or "ProberPage" (a person's page).
std::string_view alertmanagerAlertName(AlertKind kind);

// A one-alert array for `event`, sent at `now`. A trigger holds until now + 4 × `resend` (it is
// re-sent every `resend` while firing, so a prober that stops sending lets it end by itself, as
// Prometheus does); a resolve ends at the event's time. Labels: alertname, check, severity
// (`severity`, or "warning" for a certificate) and the check's config labels, which cannot
// override those three. `externalUrl` (may be empty) gives generatorURL, the check's page.
std::string alertmanagerAlerts(const AlertEvent& event, const std::string& severity,
                               std::chrono::milliseconds resend, const std::string& externalUrl,
                               std::chrono::system_clock::time_point now);

// The API endpoint under a member's base URL: "http://am:9093" -> "http://am:9093/api/v2/alerts".
std::string alertmanagerAlertsUrl(const std::string& baseUrl);

}  // namespace prober
