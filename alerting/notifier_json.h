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
// destination). Holds the routing key or webhook URL: it is written only to the state store.
std::string notifierJson(const Notifier& notifier);
// Read back, named `name`; nullopt when the text is not what notifierJson writes.
std::optional<Notifier> notifierFromJson(std::string_view json, const std::string& name);

}  // namespace prober
