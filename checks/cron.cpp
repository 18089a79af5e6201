#include "checks/cron.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <vector>

namespace prober {

namespace {

struct Field {
  const char* name;
  int min;
  int max;
  std::array<const char*, 12> names;  // the names of min, min + 1, ... ("" past the last)
};

constexpr Field kMinute{"minute", 0, 59, {}};
constexpr Field kHour{"hour", 0, 23, {}};
constexpr Field kDayOfMonth{"day of month", 1, 31, {}};
constexpr Field kMonth{
    "month",
    1,
    12,
    {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}};
constexpr Field kDayOfWeek{"day of week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

// A number or (for months and days of the week) a name, case-insensitive.
std::optional<int> value(std::string_view text, const Field& field) {
  int number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size()) {
    return number;
  }
  for (std::size_t i = 0; i < field.names.size() && field.names[i] != nullptr; ++i) {
    const std::string_view name = field.names[i];
    if (name.size() == text.size() &&
        std::equal(name.begin(), name.end(), text.begin(), [](char a, char b) {
          return a == (b >= 'a' && b <= 'z' ? static_cast<char>(b - 'a' + 'A') : b);
        })) {
      return field.min + static_cast<int>(i);
    }
  }
  return std::nullopt;
}

// Sets the bits a field's text names (bit i for value i); false with `error` set otherwise.
template <std::size_t N>
bool parseField(std::string_view text, const Field& field, std::bitset<N>& bits,
                std::string& error) {
  for (const std::string_view item : split(text, ',')) {
    std::string_view range = item;
    int step = 1;
    if (const auto slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view stepText = item.substr(slash + 1);
      const auto [end, ec] =
          std::from_chars(stepText.data(), stepText.data() + stepText.size(), step);
      if (ec != std::errc() || end != stepText.data() + stepText.size() || step < 1) {
        error = fmt::format("{}: step \"{}\" is not a positive number", field.name, stepText);
        return false;
      }
    }
    int low = field.min;
    int high = field.max == 7 ? 6 : field.max;  // * of days of the week: 0-6
    if (range != "*") {
      const auto dash = range.find('-');
      const auto first = value(range.substr(0, dash), field);
      const auto last =
          dash == std::string_view::npos ? first : value(range.substr(dash + 1), field);
      if (!first || !last) {
        error = fmt::format("{}: \"{}\" is not a value, a range or *", field.name, item);
        return false;
      }
      low = *first;
      high = dash == std::string_view::npos && item.find('/') != std::string_view::npos
                 ? field.max  // "5/15": from 5 to the end, every 15
                 : *last;
      if (low < field.min || high > field.max || low > high) {
        error =
            fmt::format("{}: \"{}\" is out of range {}-{}", field.name, item, field.min, field.max);
        return false;
      }
    }
    for (int v = low; v <= high; v += step) {
      bits.set(static_cast<std::size_t>(field.max == 7 ? v % 7 : v));  // 7 is Sunday too
    }
  }
  return true;
}

std::string_view macro(std::string_view text) {
  if (text == "@hourly")
    return "0 * * * *";
  if (text == "@daily" || text == "@midnight")
    return "0 0 * * *";
  if (text == "@weekly")
    return "0 0 * * 0";
  if (text == "@monthly")
    return "0 0 1 * *";
  if (text == "@yearly" || text == "@annually")
    return "0 0 1 1 *";
  return text;
}

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(std::string_view text, std::string& error) {
  std::vector<std::string_view> fields;
  for (const std::string_view part : split(macro(text), ' ')) {
    if (!part.empty()) {
      fields.push_back(part);
    }
  }
  if (fields.size() != 5) {
    error = fmt::format(
        "a cron schedule has 5 fields (minute hour day-of-month month "
        "day-of-week), \"{}\" has {}",
        text, fields.size());
    return std::nullopt;
  }
  CronSchedule schedule;
  schedule.text_ = std::string(text);
  if (!parseField(fields[0], kMinute, schedule.minutes_, error) ||
      !parseField(fields[1], kHour, schedule.hours_, error) ||
      !parseField(fields[2], kDayOfMonth, schedule.daysOfMonth_, error) ||
      !parseField(fields[3], kMonth, schedule.months_, error) ||
      !parseField(fields[4], kDayOfWeek, schedule.daysOfWeek_, error)) {
    return std::nullopt;
  }
  schedule.anyDayOfMonth_ = fields[2] == "*";
  schedule.anyDayOfWeek_ = fields[4] == "*";
  using namespace date;
  if (!schedule.nextAtOrAfter(local_days{2000_y / January / 1})) {
    error = fmt::format("\"{}\" names a day that never comes", text);
    return std::nullopt;
  }
  return schedule;
}

bool CronSchedule::dayMatches(date::year_month_day day) const {
  if (!months_.test(static_cast<unsigned>(day.month()))) {
    return false;
  }
  const bool dom = daysOfMonth_.test(static_cast<unsigned>(day.day()));
  const bool dow = daysOfWeek_.test(date::weekday(date::local_days(day)).c_encoding());
  if (anyDayOfMonth_ || anyDayOfWeek_) {
    return dom && dow;  // the unrestricted one matches every day
  }
  return dom || dow;
}

std::optional<date::local_seconds> CronSchedule::nextAtOrAfter(date::local_seconds from) const {
  using namespace std::chrono;
  const auto start = date::ceil<minutes>(from);
  date::local_days day = date::floor<date::days>(start);
  auto minuteOfDay = duration_cast<minutes>(start - day).count();
  for (int i = 0; i < 8 * 366; ++i, day += date::days(1), minuteOfDay = 0) {
    if (!dayMatches(date::year_month_day(day))) {
      continue;
    }
    for (auto m = minuteOfDay; m < 24 * 60; ++m) {
      if (!hours_.test(static_cast<std::size_t>(m / 60))) {
        m = (m / 60 + 1) * 60 - 1;  // the rest of this hour
        continue;
      }
      if (minutes_.test(static_cast<std::size_t>(m % 60))) {
        return date::local_seconds(day) + minutes(m);
      }
    }
  }
  return std::nullopt;
}

}  // namespace prober
