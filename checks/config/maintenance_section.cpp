// [[maintenance]] windows: which checks (globs on names, labels), when (a cron schedule in an
// IANA time zone, or a one-off start), for how long. What a window holds is alerting's business.
#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "checks/config/config_builder.h"
#include "checks/text.h"

namespace prober {

namespace {

const KeySet kMaintenanceKeys = {"name",  "checks",   "labels",  "schedule",
                                 "start", "duration", "timezone"};

// YYYY-MM-DD, 'T' or ' ', HH:MM:SS, then nothing, Z, or +HH:MM / -HH:MM: checked by shape first,
// so the parser only ever sees digits where it reads numbers.
bool looksLikeTime(std::string_view text) {
  const auto digits = [&](std::size_t from, std::size_t count) {
    return text.size() >= from + count &&
           std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from),
                       text.begin() + static_cast<std::ptrdiff_t>(from + count),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (text.size() < 19 || !digits(0, 4) || text[4] != '-' || !digits(5, 2) || text[7] != '-' ||
      !digits(8, 2) || (text[10] != 'T' && text[10] != ' ') || !digits(11, 2) || text[13] != ':' ||
      !digits(14, 2) || text[16] != ':' || !digits(17, 2)) {
    return false;
  }
  const std::string_view zone = text.substr(19);
  return zone.empty() || zone == "Z" ||
         (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(20, 2) &&
          zone[3] == ':' && digits(23, 2));
}

// "2026-12-05T22:00:00Z", "2026-12-06T07:00:00+09:00", or a local "2026-12-06T07:00:00" in the
// window's zone.
std::optional<date::sys_seconds> parseStart(const std::string& text, const date::time_zone& zone) {
  if (!looksLikeTime(text)) {
    return std::nullopt;
  }
  for (const char* format : {"%FT%TZ", "%FT%T%Ez", "%F %TZ", "%F %T%Ez"}) {
    std::istringstream in(text);
    date::sys_seconds at;
    in >> date::parse(format, at);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      return at;
    }
  }
  for (const char* format : {"%FT%T", "%F %T"}) {
    std::istringstream in(text);
    date::local_seconds at;
    in >> date::parse(format, at);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      return zone.to_sys(at, date::choose::earliest);
    }
  }
  return std::nullopt;
}

}  // namespace

void ConfigBuilder::readMaintenance(const toml::node& node, Config& config) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reader_.error(node, "maintenance windows are written as [[maintenance]] tables");
    return;
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      reader_.error(item, "each maintenance window must be a [[maintenance]] table");
      continue;
    }
    if (auto window = readWindow(*table)) {
      const bool taken =
          std::any_of(config.maintenance.begin(), config.maintenance.end(),
                      [&](const MaintenanceSpec& w) { return w.name == window->name; });
      if (taken) {
        reader_.error(*table->get("name"),
                      fmt::format("duplicate maintenance window name \"{}\"", window->name));
        continue;
      }
      config.maintenance.push_back(std::move(*window));
    }
  }
}

std::optional<MaintenanceSpec> ConfigBuilder::readWindow(const toml::table& table) {
  const std::size_t errorsBefore = errorCount();
  MaintenanceSpec window;
  window.at = reader_.where(table);
  const toml::node* nameNode = table.get("name");
  if (nameNode == nullptr) {
    reader_.error(table, "maintenance window has no name");
    return std::nullopt;
  }
  window.name = reader_.string(*nameNode, "maintenance name", false).value_or("");
  const std::string context =
      fmt::format("maintenance \"{}\"", cutToCharacters(validUtf8(window.name), 60));
  reader_.rejectUnknownKeys(table, kMaintenanceKeys, context);
  if (const toml::node* n = table.get("checks")) {
    window.checks = reader_.stringArray(*n, context + ": checks").value_or(window.checks);
  }
  if (const toml::node* n = table.get("labels")) {
    readLabels(*n, context, window.labels);
  }
  if (window.checks.empty() && window.labels.empty() && errorCount() == errorsBefore) {
    reader_.error(table, fmt::format("{}: names no checks: give checks (globs, \"*\" for all), "
                                     "labels, or both",
                                     context));
  }
  const date::time_zone* zone = nullptr;
  const toml::node* zoneNode = table.get("timezone");
  if (zoneNode != nullptr) {
    window.timezone = reader_.string(*zoneNode, context + ": timezone", false).value_or("UTC");
  }
  try {
    zone = date::locate_zone(window.timezone);
  } catch (const std::exception&) {
    reader_.error(zoneNode != nullptr ? *zoneNode : static_cast<const toml::node&>(table),
                  fmt::format("{}: timezone \"{}\" is not in the system's time-zone database "
                              "(an IANA name such as \"Europe/Berlin\" or \"UTC\")",
                              context, cutToCharacters(validUtf8(window.timezone), 60)));
  }
  const toml::node* scheduleNode = table.get("schedule");
  const toml::node* startNode = table.get("start");
  if ((scheduleNode == nullptr) == (startNode == nullptr)) {
    reader_.error(scheduleNode != nullptr ? *scheduleNode : static_cast<const toml::node&>(table),
                  fmt::format("{}: give either schedule (cron, for a recurring window) or start "
                              "(for one window)",
                              context));
  } else if (scheduleNode != nullptr) {
    if (auto text = reader_.string(*scheduleNode, context + ": schedule", false)) {
      std::string error;
      window.schedule = CronSchedule::parse(*text, error);
      if (!window.schedule) {
        reader_.error(*scheduleNode, fmt::format("{}: schedule: {}", context, error));
      }
    }
  } else {
    if (const auto start = readInstant(*startNode, zone, context + ": start")) {
      window.start = *start;
    }
  }
  if (const toml::node* n = table.get("duration")) {
    if (const auto length = reader_.duration(*n, context + ": duration")) {
      if (length->count() <= 0 || *length > std::chrono::hours(24 * 366)) {
        reader_.error(*n,
                      fmt::format("{}: duration must be more than 0 and at most 366d", context));
      }
      window.duration = *length;
    }
  } else {
    reader_.error(table,
                  fmt::format("{}: duration is missing (how long each window lasts)", context));
  }
  if (errorCount() != errorsBefore) {
    return std::nullopt;
  }
  return window;
}

std::optional<std::chrono::system_clock::time_point> ConfigBuilder::readInstant(
    const toml::node& node, const date::time_zone* zone, const std::string& what) {
  // Read in whole seconds first: any year TOML allows fits, and the range is checked before
  // the time becomes a system_clock time (nanoseconds, about 1678 to 2262).
  std::optional<date::sys_seconds> at;
  if (const auto* native = node.as_date_time()) {
    const toml::date_time& value = native->get();
    const auto days =
        date::sys_days(date::year(value.date.year) / value.date.month / value.date.day);
    const auto local =
        std::chrono::seconds(value.time.hour * 3600 + value.time.minute * 60 + value.time.second);
    if (value.offset) {
      at = days + local - std::chrono::minutes(value.offset->minutes);
    } else if (zone != nullptr) {
      at = zone->to_sys(date::local_seconds(days.time_since_epoch() + local),
                        date::choose::earliest);
    }
  } else if (auto text = reader_.string(node, what, false)) {
    at = zone != nullptr ? parseStart(*text, *zone) : std::nullopt;
    if (!at && zone != nullptr) {
      reader_.error(node, fmt::format("{} \"{}\" is not a time like \"2026-12-05T22:00:00Z\"", what,
                                      cutToCharacters(validUtf8(*text), 60)));
    }
  }
  using namespace date;
  if (at && (*at < sys_days{1970_y / January / 1} || *at >= sys_days{2200_y / January / 1})) {
    reader_.error(node, fmt::format("{} must be from 1970 to 2199", what));
    return std::nullopt;
  }
  return at;
}

}  // namespace prober
