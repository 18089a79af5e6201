#include "alerting/holds/silence.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <date/date.h>

#include <boost/json.hpp>
#include <sstream>

#include "alerting/alert_event.h"
#include "checks/duration.h"
#include "checks/text.h"

namespace prober {

namespace {

// "2026-12-06T04:00:00Z" or "2026-12-06T04:00:00.250Z", as rfc3339Utc writes it.
std::optional<std::chrono::system_clock::time_point> parseRfc3339Utc(std::string_view text) {
  // As rfc3339Utc writes it, and nothing else: the parser only ever sees digits where it reads
  // numbers.
  const bool millis = text.size() == 24 && text[19] == '.';
  if ((text.size() != 20 && !millis) || text.back() != 'Z' ||
      !std::all_of(
          text.begin(), text.begin() + 19,
          [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T'; }) ||
      (millis && !std::all_of(text.begin() + 20, text.begin() + 23,
                              [](char c) { return c >= '0' && c <= '9'; }))) {
    return std::nullopt;
  }
  std::istringstream in{std::string(text.substr(0, 19))};
  date::sys_seconds at;
  in >> date::parse("%FT%T", at);
  if (in.fail()) {
    return std::nullopt;
  }
  const int ms = millis ? std::stoi(std::string(text.substr(20, 3))) : 0;
  return at + std::chrono::milliseconds(ms);
}

bool validText(const boost::json::value& value) {
  return value.is_string() && value.get_string().size() <= 1024;
}

}  // namespace

bool coversCheck(const std::vector<std::string>& globs,
                 const std::map<std::string, std::string>& labels, const CheckSpec& spec) {
  const bool named =
      globs.empty() || std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
        return ::fnmatch(glob.c_str(), spec.name.c_str(), 0) == 0;
      });
  if (!named) {
    return false;
  }
  return std::all_of(labels.begin(), labels.end(), [&](const auto& label) {
    const auto it = spec.labels.find(label.first);
    return it != spec.labels.end() && it->second == label.second;
  });
}

std::string rfc3339Utc(std::chrono::system_clock::time_point at) {
  const std::string iso = isoTimestampUtc(at);  // 2026-12-06T04:00:00.000Z
  return iso.substr(19, 4) == ".000" ? iso.substr(0, 19) + "Z" : iso;
}

std::optional<Silence> silenceFromRequest(std::string_view body,
                                          std::chrono::system_clock::time_point now,
                                          std::string& error) {
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) {
    error = "the body must be a JSON object";
    return std::nullopt;
  }
  const boost::json::object& object = json.get_object();
  for (const auto& [key, value] : object) {
    if (key != "checks" && key != "labels" && key != "duration" && key != "comment" &&
        key != "created_by") {
      error = fmt::format("unknown field \"{}\" (checks, labels, duration, comment, created_by)",
                          cutToCharacters(validUtf8(std::string(key)), 60));
      return std::nullopt;
    }
  }
  Silence silence;
  if (const auto* checks = object.if_contains("checks")) {
    if (!checks->is_array()) {
      error = "checks must be an array of globs on check names";
      return std::nullopt;
    }
    for (const auto& glob : checks->get_array()) {
      if (!validText(glob) || glob.get_string().empty()) {
        error = "checks must be an array of globs on check names";
        return std::nullopt;
      }
      silence.checks.emplace_back(glob.get_string());
    }
  }
  if (const auto* labels = object.if_contains("labels")) {
    if (!labels->is_object()) {
      error = "labels must be an object of strings";
      return std::nullopt;
    }
    for (const auto& [key, value] : labels->get_object()) {
      if (!validText(value)) {
        error = "labels must be an object of strings";
        return std::nullopt;
      }
      silence.labels[std::string(key)] = std::string(value.get_string());
    }
  }
  if (silence.checks.empty() && silence.labels.empty()) {
    error = "a silence names its checks: give checks (globs, [\"*\"] for all), labels, or both";
    return std::nullopt;
  }
  const auto* duration = object.if_contains("duration");
  if (duration == nullptr) {
    error = "duration is missing (\"30m\", \"2h\")";
    return std::nullopt;
  }
  const auto length = duration->is_string() ? parseDuration(duration->get_string()) : std::nullopt;
  if (!length || length->count() <= 0 || *length > kMaxSilence) {
    error = kSilenceDurationRule;
    return std::nullopt;
  }
  for (const char* key : {"comment", "created_by"}) {
    if (const auto* text = object.if_contains(key)) {
      if (!validText(*text)) {
        error = fmt::format("{} must be a string of at most 1024 bytes", key);
        return std::nullopt;
      }
      (std::string_view(key) == "comment" ? silence.comment : silence.createdBy) =
          validUtf8(std::string(text->get_string()));
    }
  }
  // To the millisecond asked for: a silence cut to whole seconds would end early.
  silence.startsAt = std::chrono::time_point_cast<std::chrono::milliseconds>(now);
  silence.endsAt = silence.startsAt + *length;
  return silence;
}

boost::json::object toJson(const Silence& silence) {
  boost::json::array checks;
  for (const auto& glob : silence.checks) {
    checks.emplace_back(glob);
  }
  boost::json::object labels;
  for (const auto& [key, value] : silence.labels) {
    labels[key] = value;
  }
  return boost::json::object{
      {"id", std::to_string(silence.id)},      {"checks", std::move(checks)},
      {"labels", std::move(labels)},           {"starts_at", rfc3339Utc(silence.startsAt)},
      {"ends_at", rfc3339Utc(silence.endsAt)}, {"comment", silence.comment},
      {"created_by", silence.createdBy}};
}

std::optional<Silence> silenceFromJson(const boost::json::value& json) {
  try {
    const auto& object = json.as_object();
    Silence silence;
    if (const auto* id = object.if_contains("id")) {
      silence.id = std::stoll(std::string(id->as_string()));
    }
    for (const auto& glob : object.at("checks").as_array()) {
      silence.checks.emplace_back(glob.as_string());
    }
    for (const auto& [key, value] : object.at("labels").as_object()) {
      silence.labels[std::string(key)] = std::string(value.as_string());
    }
    for (const auto& [key, at] :
         {std::pair{"starts_at", &silence.startsAt}, std::pair{"ends_at", &silence.endsAt}}) {
      const auto time = parseRfc3339Utc(object.at(key).as_string());
      if (!time) {
        return std::nullopt;
      }
      *at = *time;
    }
    silence.comment = std::string(object.at("comment").as_string());
    silence.createdBy = std::string(object.at("created_by").as_string());
    return silence;
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged row
  }
}

}  // namespace prober
