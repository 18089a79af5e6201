#pragma once
// A notifier's typed settings as JSON text, stored with each queued notification and each paged
// alert: what was queued is delivered, and what was paged is resolved, with the settings in
// force then, whatever a reload or restart renamed or removed since.
#include <optional>
#include <string>
#include <string_view>

#include "alerting/notifier_settings.h"

namespace prober {

// The settings (the name is not part of them: the same service under two names is one
// destination). Holds the routing key or webhook URL: it is written only to the state store,
// whose files only their owner may read.
std::string notifierJson(const Notifier& notifier);
// Where a notifier's pages land, as one text: its type and the service it posts to (PagerDuty's
// events URL and routing key, Slack's webhook, the set of Alertmanager URLs). Settings of the
// delivery alone (timeout, severity, resend) are not part of it: changing them changes nothing
// about what is open where.
std::string notifierDestination(const Notifier& notifier);
// A destination as one short identity: "dest:" and a hash of notifierDestination. Queues are
// keyed by it; and rows stored by versions that kept only it (not the settings) are matched
// after a restart with the configured notifier of the same destination, whatever it is called
// now.
std::string storedDestination(const Notifier& notifier);
inline constexpr std::string_view kStoredDestinationPrefix = "dest:";
// Read back, named `name`; nullopt when the text is not what notifierJson writes.
std::optional<Notifier> notifierFromJson(std::string_view json, const std::string& name);

}  // namespace prober
