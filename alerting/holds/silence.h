#pragma once
// Silences: a person holding the pages of some checks for a while (POST /api/v1/silences, or
// `mute` from Slack). Which checks one covers is the same rule as a maintenance window's:
// globs on check names and/or labels that must all match.
#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_spec.h"

namespace prober {

// The longest silence, from the API or Slack: a forgotten one should not hold pages for ever
// (and time arithmetic stays far from overflowing).
inline constexpr std::chrono::milliseconds kMaxSilence = std::chrono::hours(24 * 90);
inline constexpr const char* kSilenceDurationRule =
    "duration must be a duration from \"1s\" to \"90d\", like \"30m\" or \"2h\"";

struct Silence {
  std::int64_t id = 0;
  std::vector<std::string> checks;            // globs on check names
  std::map<std::string, std::string> labels;  // every one must match
  std::chrono::system_clock::time_point startsAt;
  std::chrono::system_clock::time_point endsAt;
  std::string comment;
  std::string createdBy;
};

// Whether a check is covered by `globs` (any matching its name; none given: any name) and
// `labels` (every one equal to the check's).
bool coversCheck(const std::vector<std::string>& globs,
                 const std::map<std::string, std::string>& labels, const CheckSpec& spec);

// The silence a POST body asks for: {"checks": [...], "labels": {...}, "duration": "2h",
// "comment": "...", "created_by": "..."}, starting at `now`. nullopt with `error` saying what
// is wrong ("duration is missing", ...).
std::optional<Silence> silenceFromRequest(std::string_view body,
                                          std::chrono::system_clock::time_point now,
                                          std::string& error);

// As the API shows it and the store keeps it: {"id", "checks", "labels", "starts_at",
// "ends_at", "comment", "created_by"}, times RFC 3339 UTC.
boost::json::object toJson(const Silence& silence);
// The store keeps the id as the row's key (its JSON was written before the id was known).
std::optional<Silence> silenceFromJson(const boost::json::value& json);

// "2026-12-06T04:00:00Z", or "2026-12-06T04:00:00.250Z" when not on a whole second.
std::string rfc3339Utc(std::chrono::system_clock::time_point at);

}  // namespace prober
