#pragma once
// Slack incoming-webhook messages for the status channel, built by a pure function: what is
// down, since when, the failing assertion in plain words, a link; on resolve, how long it was down.
#include <string>

#include "alerting/alert_event.h"

namespace prober {

// `reminder`: a trigger posted again while the alert still fires (the check's `renotify`).
std::string slackMessage(const AlertEvent& event, const std::string& externalUrl,
                         bool reminder = false);

// "status == 200 (got 503)" -> "expected status == 200, but got 503"
std::string plainWords(const std::string& failedAssertion);

}  // namespace prober
