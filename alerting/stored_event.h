#pragma once
// What the alerter rebuilds from the store: an alert's event from its saved state, and how often
// a check's alert reminds people.
#include <chrono>

#include "alerting/alert_event.h"
#include "alerting/store.h"
#include "checks/check_spec.h"

namespace prober {

// Slack reminders (`renotify`) are for the check failing, not for its warnings.
Millis renotifyOf(const CheckSpec& spec, AlertKind kind);

// An alert's event rebuilt from what the store kept (the run that fired it is gone, so it names
// no failure): the trigger of a page held when the daemon stopped, or of a notifier added while
// the alert fires, and the resolve for a notifier taken away.
AlertEvent storedEventOf(AlertAction action, const CheckSpec& spec, AlertKind kind,
                         const SavedAlert& alert, std::chrono::system_clock::time_point now);

}  // namespace prober
