#pragma once
// Inside checks/config/ only: the readers of the small sections, one file each, each owning its
// keys and returning what it read; what is wrong is reported where it was written and left out.
// The checks have readers of their own (check_reader.h, request_reader.h).
#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

#include "checks/check_spec.h"
#include "checks/config/config_reader.h"

namespace prober {

// [prober] (prober_section.cpp): the daemon's listener, state, limits and identity. The file
// patterns `include` names go to `includes`, for the caller to read.
ProberSettings readProberSection(ConfigReader& reader, const toml::node& node,
                                 std::vector<std::string>& includes);

// [web] (web_section.cpp): TLS and basic auth on the listener, its host and connection guards.
WebSettings readWebSection(ConfigReader& reader, const toml::node& node);

// [notifiers.NAME] (notifier_section.cpp): each notifier by name, its settings as written.
std::map<std::string, NotifierSpec> readNotifierSection(ConfigReader& reader,
                                                        const toml::node& node);

// [slack_command] (notifier_section.cpp): that its notifier exists is a rule over the whole
// config (config_rules.h).
SlackCommandSpec readSlackCommandSection(ConfigReader& reader, const toml::node& node);

// [[maintenance]] (maintenance_section.cpp): windows with unique names.
std::vector<MaintenanceSpec> readMaintenanceSection(ConfigReader& reader, const toml::node& node);

// [[announcement]] (announcement_section.cpp): notices for the status page.
std::vector<AnnouncementSpec> readAnnouncementSection(ConfigReader& reader, const toml::node& node);

}  // namespace prober
