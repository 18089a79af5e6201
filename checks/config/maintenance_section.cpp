// Reads [[maintenance]] windows: which checks (globs on names, labels), when (a cron schedule in
// an IANA time zone, or a one-off start), for how long. What a window holds is alerting's
// business.
#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>

#include "checks/config/sections.h"
#include "checks/config/shared_reads.h"
#include "checks/text.h"

namespace prober {

namespace {

const KeySet kMaintenanceKeys = {"name",  "checks",   "labels",  "schedule",
                                 "start", "duration", "timezone"};

std::optional<MaintenanceSpec> readWindow(ConfigReader& reader, const toml::table& table) {
  const std::size_t errorsBefore = reader.errorCount();
  MaintenanceSpec window;
  window.at = reader.where(table);
  const toml::node* nameNode = table.get("name");
  if (nameNode == nullptr) {
    reader.error(table, "maintenance window has no name");
    return std::nullopt;
  }
  window.name = reader.string(*nameNode, "maintenance name", false).value_or("");
  const std::string context =
      fmt::format("maintenance \"{}\"", cutToCharacters(validUtf8(window.name), 60));
  reader.rejectUnknownKeys(table, kMaintenanceKeys, context);
  if (const toml::node* n = table.get("checks")) {
    window.checks = reader.stringArray(*n, context + ": checks").value_or(window.checks);
  }
  if (const toml::node* n = table.get("labels")) {
    window.labels = readLabels(reader, *n, context);
  }
  if (window.checks.empty() && window.labels.empty() && reader.errorCount() == errorsBefore) {
    reader.error(table, fmt::format("{}: names no checks: give checks (globs, \"*\" for all), "
                                    "labels, or both",
                                    context));
  }
  const date::time_zone* zone = nullptr;
  const toml::node* zoneNode = table.get("timezone");
  if (zoneNode != nullptr) {
    window.timezone = reader.string(*zoneNode, context + ": timezone", false).value_or("UTC");
  }
  try {
    zone = date::locate_zone(window.timezone);
  } catch (const std::exception&) {
    reader.error(zoneNode != nullptr ? *zoneNode : static_cast<const toml::node&>(table),
                 fmt::format("{}: timezone \"{}\" is not in the system's time-zone database "
                             "(an IANA name such as \"Europe/Berlin\" or \"UTC\")",
                             context, cutToCharacters(validUtf8(window.timezone), 60)));
  }
  const toml::node* scheduleNode = table.get("schedule");
  const toml::node* startNode = table.get("start");
  if ((scheduleNode == nullptr) == (startNode == nullptr)) {
    reader.error(scheduleNode != nullptr ? *scheduleNode : static_cast<const toml::node&>(table),
                 fmt::format("{}: give either schedule (cron, for a recurring window) or start "
                             "(for one window)",
                             context));
  } else if (scheduleNode != nullptr) {
    if (auto text = reader.string(*scheduleNode, context + ": schedule", false)) {
      std::string error;
      window.schedule = CronSchedule::parse(*text, error);
      if (!window.schedule) {
        reader.error(*scheduleNode, fmt::format("{}: schedule: {}", context, error));
      }
    }
  } else {
    if (const auto start = readInstant(reader, *startNode, zone, context + ": start")) {
      window.start = *start;
    }
  }
  if (const toml::node* n = table.get("duration")) {
    if (const auto length = reader.duration(*n, context + ": duration")) {
      if (length->count() <= 0 || *length > std::chrono::hours(24 * 366)) {
        reader.error(*n, fmt::format("{}: duration must be more than 0 and at most 366d", context));
      }
      window.duration = *length;
    }
  } else {
    reader.error(table,
                 fmt::format("{}: duration is missing (how long each window lasts)", context));
  }
  if (reader.errorCount() != errorsBefore) {
    return std::nullopt;
  }
  return window;
}

}  // namespace

std::vector<MaintenanceSpec> readMaintenanceSection(ConfigReader& reader, const toml::node& node) {
  std::vector<MaintenanceSpec> windows;
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reader.error(node, "maintenance windows are written as [[maintenance]] tables");
    return windows;
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      reader.error(item, "each maintenance window must be a [[maintenance]] table");
      continue;
    }
    if (auto window = readWindow(reader, *table)) {
      const bool taken = std::any_of(windows.begin(), windows.end(), [&](const MaintenanceSpec& w) {
        return w.name == window->name;
      });
      if (taken) {
        reader.error(*table->get("name"),
                     fmt::format("duplicate maintenance window name \"{}\"", window->name));
        continue;
      }
      windows.push_back(std::move(*window));
    }
  }
  return windows;
}

}  // namespace prober
