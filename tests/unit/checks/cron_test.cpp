// Cron schedules: the fields, names, steps and lists, the day-of-month/day-of-week rule, and
// the next start after a moment, as tables.
#include <doctest/doctest.h>

#include <sstream>

#include "checks/cron.h"

namespace {

using prober::CronSchedule;

date::local_seconds at(const char* text) {
  std::istringstream in(text);
  date::local_seconds parsed;
  in >> date::parse("%F %R", parsed);
  REQUIRE_FALSE(in.fail());
  return parsed;
}

std::string next(const char* schedule, const char* from) {
  std::string error;
  const auto parsed = CronSchedule::parse(schedule, error);
  REQUIRE_MESSAGE(parsed.has_value(), error);
  const auto found = parsed->nextAtOrAfter(at(from));
  return found ? date::format("%F %R %a", *found) : "none";
}

}  // namespace

TEST_CASE("cron: the next start at or after a moment") {
  struct Row {
    const char* schedule;
    const char* from;
    const char* expected;
  };
  const Row rows[] = {
      {"0 3 * * SUN", "2026-12-02 12:00", "2026-12-06 03:00 Sun"},
      {"0 3 * * SUN", "2026-12-06 03:00", "2026-12-06 03:00 Sun"},  // at: included
      {"0 3 * * SUN", "2026-12-06 03:01", "2026-12-13 03:00 Sun"},
      {"0 3 * * 7", "2026-12-02 12:00", "2026-12-06 03:00 Sun"},  // 7 is Sunday too
      {"*/15 * * * *", "2026-12-02 12:01", "2026-12-02 12:15 Wed"},
      {"5/20 9-10 * * *", "2026-12-02 10:46", "2026-12-03 09:05 Thu"},
      {"0 22 * * MON-FRI", "2026-12-04 23:00", "2026-12-07 22:00 Mon"},
      {"30 1 1,15 * *", "2026-12-02 00:00", "2026-12-15 01:30 Tue"},
      {"0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00 Tue"},  // the next leap day
      {"0 12 * JAN,jul *", "2026-12-02 00:00", "2027-01-01 12:00 Fri"},
      // Both day fields restricted: either one matches (the 13th, or any Friday).
      {"0 0 13 * FRI", "2026-12-05 00:00", "2026-12-11 00:00 Fri"},
      {"@daily", "2026-12-02 00:00", "2026-12-02 00:00 Wed"},
      {"@weekly", "2026-12-02 00:00", "2026-12-06 00:00 Sun"},
      {"@monthly", "2026-12-02 00:00", "2027-01-01 00:00 Fri"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.schedule);
    CAPTURE(row.from);
    CHECK(next(row.schedule, row.from) == row.expected);
  }
}

TEST_CASE("cron: what is not a schedule says why") {
  struct Row {
    const char* schedule;
    const char* error;
  };
  const Row rows[] = {
      {"0 3 * *",
       "a cron schedule has 5 fields (minute hour day-of-month month day-of-week), \"0 3 * *\" "
       "has 4"},
      {"60 * * * *", "minute: \"60\" is out of range 0-59"},
      {"0 24 * * *", "hour: \"24\" is out of range 0-23"},
      {"0 0 0 * *", "day of month: \"0\" is out of range 1-31"},
      {"0 0 * 13 *", "month: \"13\" is out of range 1-12"},
      {"0 0 * * 8", "day of week: \"8\" is out of range 0-7"},
      {"0 0 * * FUNDAY", "day of week: \"FUNDAY\" is not a value, a range or *"},
      {"*/0 * * * *", "minute: step \"0\" is not a positive number"},
      {"5-1 * * * *", "minute: \"5-1\" is out of range 0-59"},
      {"0 0 31 4 *", "\"0 0 31 4 *\" names a day that never comes"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.schedule);
    std::string error;
    CHECK_FALSE(CronSchedule::parse(row.schedule, error).has_value());
    CHECK(error == row.error);
  }
}
