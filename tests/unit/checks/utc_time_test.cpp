// UTC formatting, the one place the calendar is worked out: what the report, events and pages
// print for a Unix millisecond.
#include <doctest/doctest.h>

#include "checks/utc_time.h"

TEST_CASE("formatUtc: strftime's fields in UTC, to the second") {
  // 2026-12-02T12:00:44.900Z
  const std::int64_t at = 1'796'212'844'900;
  CHECK(prober::formatUtc(at, "%Y-%m-%d %H:%M:%S") == "2026-12-02 12:00:44");
  CHECK(prober::formatUtc(at, "%Y-%m-%dT%H:%M:%SZ") == "2026-12-02T12:00:44Z");
  CHECK(prober::formatUtc(at, "%b %-d %H:%M") == "Dec 2 12:00");
  CHECK(prober::formatUtc(0, "%Y-%m-%d %H:%M:%S") == "1970-01-01 00:00:00");
  CHECK(prober::formatUtc(at, "").empty());  // nothing to write
}
