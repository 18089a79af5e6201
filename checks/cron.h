#pragma once
// Cron schedules of maintenance windows: the five fields (minute hour day-of-month month
// day-of-week) with *, lists, ranges, steps and the names JAN..DEC and SUN..SAT, plus @hourly,
// @daily, @weekly, @monthly and @yearly. Times are local to the window's time zone; the zone is
// applied by the caller, so this stays pure calendar arithmetic.
#include <date/date.h>

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

namespace prober {

class CronSchedule {
 public:
  // nullopt with `error` set ("field 2 (hour): 25 is out of range 0-23") when the text is not a
  // schedule, or names a day that never comes ("0 0 30 2 *").
  static std::optional<CronSchedule> parse(std::string_view text, std::string& error);

  // The first minute at or after `from` (rounded up to a whole minute) the schedule names,
  // searching up to eight years ahead (a 29 February comes within that).
  std::optional<date::local_seconds> nextAtOrAfter(date::local_seconds from) const;

  const std::string& text() const { return text_; }
  bool operator==(const CronSchedule& other) const { return text_ == other.text_; }

 private:
  bool dayMatches(date::year_month_day day) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> daysOfMonth_;  // 1..31
  std::bitset<13> months_;       // 1..12
  std::bitset<7> daysOfWeek_;    // 0 = Sunday
  // Standard cron: when both day fields are restricted, a day matching either one counts.
  bool anyDayOfMonth_ = true;
  bool anyDayOfWeek_ = true;
};

}  // namespace prober
