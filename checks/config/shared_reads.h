#pragma once
// Inside checks/config/ only: values more than one section reads: a name, a file the daemon
// or a probe will open, a table of labels, a point in time.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "checks/config/config_reader.h"

namespace date {
class time_zone;
}

namespace prober {

// Letters, digits and _ . : -: check and step names, and [prober] location.
inline bool isValidCheckName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == ':' ||
           c == '-';
  });
}

// A file the daemon or a probe will read: resolved against the config file that names it, and
// readable now, so a typo is a load error rather than a failing check at night. "" when not.
std::string readableFile(ConfigReader& reader, const toml::node& node, const std::string& context);

// `labels = { team = "core" }` on a check or a maintenance window: names Prometheus accepts and
// prober does not use itself, plain strings (a ${VAR} would show a secret in the metrics).
std::map<std::string, std::string> readLabels(ConfigReader& reader, const toml::node& node,
                                              const std::string& context);

// A point in time: a TOML date-time or a string like "2026-12-05T22:00:00Z"; one without an
// offset is local time in `zone` (nullptr: the zone was wrong, already reported). Between 1970
// and 2199.
std::optional<std::chrono::system_clock::time_point> readInstant(ConfigReader& reader,
                                                                 const toml::node& node,
                                                                 const date::time_zone* zone,
                                                                 const std::string& what);

}  // namespace prober
