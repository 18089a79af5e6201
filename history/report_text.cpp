#include <fmt/format.h>

#include <algorithm>

#include "alerting/alert_event.h"
#include "checks/utc_time.h"
#include "history/report_parts.h"

namespace prober::report {

std::string utc(std::int64_t ms) {
  return formatUtc(ms, "%Y-%m-%d %H:%M:%S");
}

// "5m 28s", "2h 3m", "40s", "1.6s": how long, for people.
std::string span(std::int64_t ms) {
  if (ms < 10'000) {
    return fmt::format("{:.1f}s", static_cast<double>(std::max<std::int64_t>(0, ms)) / 1000);
  }
  std::int64_t seconds = std::max<std::int64_t>(0, (ms + 500) / 1000);
  const std::int64_t days = seconds / 86400, hours = seconds / 3600 % 24,
                     minutes = seconds / 60 % 60;
  seconds %= 60;
  const auto pair = [](std::int64_t big, const char* bigUnit, std::int64_t small,
                       const char* smallUnit) {
    return small == 0 ? fmt::format("{}{}", big, bigUnit)
                      : fmt::format("{}{} {}{}", big, bigUnit, small, smallUnit);
  };
  if (days > 0)
    return pair(days, "d", hours, "h");
  if (hours > 0)
    return pair(hours, "h", minutes, "m");
  if (minutes > 0)
    return pair(minutes, "m", seconds, "s");
  return fmt::format("{}s", seconds);
}

// Text inside a table cell: no line breaks, no column separators.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string code(const std::string& text) {
  return text.find('`') == std::string::npos ? "`" + text + "`" : "`` " + text + " ``";
}

std::string cut(std::string text, std::size_t limit) {
  if (text.size() > limit) {
    text.resize(limit);
    text += "...";
  }
  return text;
}

// The check an alert key belongs to: "api" and "api#cert" are api's; a Slack page's is nobody's.
std::string checkOfKey(const std::string& key) {
  auto [name, kind] = parseAlertKey(key);
  return kind == AlertKind::SlashCommand ? std::string() : name;
}

// What an alert key names, for people: "alert", "certificate warning" or "degraded warning".
std::string_view alertNoun(const std::string& key) {
  switch (parseAlertKey(key).second) {
    case AlertKind::Certificate: return "certificate warning";
    case AlertKind::Degraded: return "degraded warning";
    default: return "alert";
  }
}

// A page held by a maintenance window, a silence or a firing dependency, and its end.
bool isHoldEvent(const HistoryEvent& e) {
  return e.action == "held" || e.action == "released";
}

std::string who(const HistoryEvent& e) {
  if (e.userId.empty()) {
    return "a request that could not be verified";  // refused before its fields were read
  }
  return fmt::format("{} ({}) in #{} ({})", e.userName.empty() ? "?" : e.userName, e.userId,
                     e.channelName.empty() ? "?" : e.channelName, e.channelId);
}

}  // namespace prober::report
