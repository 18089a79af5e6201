// Values more than one section reads: a readable file ([web], a request's TLS files), a table of
// labels (a check, a maintenance window), a point in time (a maintenance start, an
// announcement's end).
#include "checks/config/shared_reads.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checks/text.h"

namespace prober {

namespace {

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

// "2026-12-05T22:00:00Z", "2026-12-06T07:00:00+09:00", or a local "2026-12-06T07:00:00" in
// `zone`.
std::optional<date::sys_seconds> parseTime(const std::string& text, const date::time_zone& zone) {
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

std::string readableFile(ConfigReader& reader, const toml::node& node, const std::string& context) {
  auto text = reader.string(node, context, false);
  if (!text || text->empty()) {
    if (text) {
      reader.error(node, fmt::format("{} is empty", context));
    }
    return {};
  }
  std::filesystem::path path(*text);
  if (path.is_relative()) {
    path = std::filesystem::path(reader.where(node).file).parent_path() / path;
  }
  std::ifstream probe(path);
  if (!probe) {
    reader.error(
        node, fmt::format("{}: cannot read {}: {}", context, path.string(), std::strerror(errno)));
    return {};
  }
  return path.string();
}

std::map<std::string, std::string> readLabels(ConfigReader& reader, const toml::node& node,
                                              const std::string& context) {
  std::map<std::string, std::string> labels;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.error(node, fmt::format("{}: labels must be a table of strings", context));
    return labels;
  }
  for (auto&& [key, value] : *table) {
    const std::string name(key.str());
    if (!isValidLabelName(name) || name.rfind("__", 0) == 0) {
      reader.error(reader.where(key.source()),
                   fmt::format("{}: label name \"{}\" must match [a-zA-Z_][a-zA-Z0-9_]* and not "
                               "start with __",
                               context, name));
      continue;
    }
    if (name == "check" || name == "url" || name == "step" || name == "phase" || name == "le") {
      reader.error(
          reader.where(key.source()),
          fmt::format("{}: label name \"{}\" is reserved for prober's own labels", context, name));
      continue;
    }
    auto text = reader.string(value, fmt::format("{}: label {}", context, name), false);
    if (!text) {
      continue;
    }
    if (text->find("${") != std::string::npos) {
      reader.error(value, fmt::format("{}: label {} cannot use ${{VAR}}: labels are shown in "
                                      "metrics, and ${{VAR}} values are kept secret",
                                      context, name));
      continue;
    }
    labels[name] = *text;
  }
  return labels;
}

std::optional<std::chrono::system_clock::time_point> readInstant(ConfigReader& reader,
                                                                 const toml::node& node,
                                                                 const date::time_zone* zone,
                                                                 const std::string& what) {
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
  } else if (auto text = reader.string(node, what, false)) {
    at = zone != nullptr ? parseTime(*text, *zone) : std::nullopt;
    if (!at && zone != nullptr) {
      reader.error(node, fmt::format("{} \"{}\" is not a time like \"2026-12-05T22:00:00Z\"", what,
                                     cutToCharacters(validUtf8(*text), 60)));
    }
  }
  using namespace date;
  if (at && (*at < sys_days{1970_y / January / 1} || *at >= sys_days{2200_y / January / 1})) {
    reader.error(node, fmt::format("{} must be from 1970 to 2199", what));
    return std::nullopt;
  }
  return at;
}

}  // namespace prober
