#include "alerting/stored_event.h"

namespace prober {

Millis renotifyOf(const CheckSpec& spec, AlertKind kind) {
  return kind == AlertKind::Check ? spec.renotify : Millis(0);
}

AlertEvent storedEventOf(AlertAction action, const CheckSpec& spec, AlertKind kind,
                         const SavedAlert& alert, std::chrono::system_clock::time_point now) {
  const int failures = action == AlertAction::Trigger ? alert.consecutiveFailures : 0;
  switch (kind) {
    case AlertKind::Certificate:
      return certAlertEventFor(action, spec, fromMillis(alert.certExpiryMs), now);
    case AlertKind::Degraded:
      return degradedAlertEventFor(action, spec, nullptr, failures,
                                   fromMillis(alert.failingSinceMs), now);
    default:
      return alertEventFor(action, spec, nullptr, failures, fromMillis(alert.failingSinceMs), now);
  }
}

}  // namespace prober
