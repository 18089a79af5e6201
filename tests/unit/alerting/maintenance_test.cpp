// Maintenance windows in their time zones, as tables: edges, a one-off start, and the two
// daylight-saving changes (a start in the skipped hour opens when the gap ends; one in the
// repeated hour opens once, at the first pass).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "alerting/holds/maintenance.h"
#include "alerting/holds/page_holds.h"
#include "alerting/holds/silence.h"
#include "alerting/store.h"

namespace {

using prober::MaintenanceSpec;
using Time = std::chrono::system_clock::time_point;

Time utc(const char* text) {
  std::istringstream in(text);
  date::sys_seconds parsed;
  in >> date::parse("%FT%TZ", parsed);
  REQUIRE_FALSE(in.fail());
  return parsed;
}

MaintenanceSpec weekly(const char* schedule, const char* zone, std::chrono::minutes duration) {
  MaintenanceSpec window;
  window.name = "w";
  window.checks = {"*"};
  std::string error;
  window.schedule = prober::CronSchedule::parse(schedule, error);
  REQUIRE_MESSAGE(window.schedule.has_value(), error);
  window.timezone = zone;
  window.duration = duration;
  return window;
}

// "open START..END" or "closed".
std::string judge(const MaintenanceSpec& window, const char* now) {
  const auto open = prober::openWindowAt(window, utc(now));
  return open ? "open " + prober::rfc3339Utc(open->start) + ".." + prober::rfc3339Utc(open->end)
              : "closed";
}

}  // namespace

TEST_CASE("maintenance: a weekly window in Tokyo, at and around its edges") {
  using namespace std::chrono_literals;
  const auto window = weekly("0 3 * * SUN", "Asia/Tokyo", 60min);  // 03:00 JST = 18:00Z Sat
  struct Row {
    const char* now;
    const char* expected;
  };
  const Row rows[] = {
      {"2026-12-05T17:59:59Z", "closed"},
      {"2026-12-05T18:00:00Z", "open 2026-12-05T18:00:00Z..2026-12-05T19:00:00Z"},
      {"2026-12-05T18:59:59Z", "open 2026-12-05T18:00:00Z..2026-12-05T19:00:00Z"},
      {"2026-12-05T19:00:00Z", "closed"},  // the end is not in the window
      {"2026-12-06T18:00:00Z", "closed"},  // a Sunday in UTC, a Monday in Tokyo
  };
  for (const Row& row : rows) {
    CAPTURE(row.now);
    CHECK(judge(window, row.now) == row.expected);
  }
  CHECK(prober::rfc3339Utc(*prober::nextStartAfter(window, utc("2026-12-05T18:00:00Z"))) ==
        "2026-12-12T18:00:00Z");
}

TEST_CASE("maintenance: daylight-saving changes in Berlin and New York") {
  using namespace std::chrono_literals;
  struct Row {
    const char* schedule;
    const char* zone;
    int minutes;
    const char* now;
    const char* expected;
  };
  const Row rows[] = {
      // Berlin springs forward on 2026-03-29 at 02:00 CET (01:00Z) to 03:00 CEST: 02:30 does
      // not exist that night, so the window opens when the gap ends, at 01:00Z, and lasts 1h.
      {"30 2 * * *", "Europe/Berlin", 60, "2026-03-29T00:59:59Z", "closed"},
      {"30 2 * * *", "Europe/Berlin", 60, "2026-03-29T01:00:00Z",
       "open 2026-03-29T01:00:00Z..2026-03-29T02:00:00Z"},
      // The night before, 02:30 CET is 01:30Z; the night after, 02:30 CEST is 00:30Z.
      {"30 2 * * *", "Europe/Berlin", 60, "2026-03-28T01:45:00Z",
       "open 2026-03-28T01:30:00Z..2026-03-28T02:30:00Z"},
      {"30 2 * * *", "Europe/Berlin", 60, "2026-03-30T00:45:00Z",
       "open 2026-03-30T00:30:00Z..2026-03-30T01:30:00Z"},
      // Berlin falls back on 2026-10-25 at 03:00 CEST (01:00Z) to 02:00 CET: 02:30 comes twice
      // (00:30Z and 01:30Z). The window opens once, at the first, and is closed by the second.
      {"30 2 * * *", "Europe/Berlin", 30, "2026-10-25T00:45:00Z",
       "open 2026-10-25T00:30:00Z..2026-10-25T01:00:00Z"},
      {"30 2 * * *", "Europe/Berlin", 30, "2026-10-25T01:45:00Z", "closed"},
      // New York: 09:00 EDT is 13:00Z before 2026-11-01, 09:00 EST is 14:00Z after.
      {"0 9 * * *", "America/New_York", 60, "2026-10-31T13:30:00Z",
       "open 2026-10-31T13:00:00Z..2026-10-31T14:00:00Z"},
      {"0 9 * * *", "America/New_York", 60, "2026-11-01T13:30:00Z", "closed"},
      {"0 9 * * *", "America/New_York", 60, "2026-11-01T14:30:00Z",
       "open 2026-11-01T14:00:00Z..2026-11-01T15:00:00Z"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.schedule);
    CAPTURE(row.zone);
    CAPTURE(row.now);
    CHECK(judge(weekly(row.schedule, row.zone, std::chrono::minutes(row.minutes)), row.now) ==
          row.expected);
  }
}

TEST_CASE("maintenance: a one-off window, and overlapping starts of a long one") {
  using namespace std::chrono_literals;
  MaintenanceSpec once;
  once.start = utc("2026-12-05T22:00:00Z");
  once.duration = 2h;
  CHECK(judge(once, "2026-12-05T21:59:59Z") == "closed");
  CHECK(judge(once, "2026-12-05T22:00:00Z") == "open 2026-12-05T22:00:00Z..2026-12-06T00:00:00Z");
  CHECK(judge(once, "2026-12-06T00:00:00Z") == "closed");
  CHECK(prober::nextStartAfter(once, utc("2026-12-06T00:00:00Z")) == std::nullopt);

  // Every 10 minutes for 25: at any moment the last start decides the end.
  const auto overlapping = weekly("*/10 * * * *", "UTC", 25min);
  CHECK(judge(overlapping, "2026-12-02T12:17:00Z") ==
        "open 2026-12-02T12:10:00Z..2026-12-02T12:35:00Z");
}

TEST_CASE("silences: which checks one covers, and what a request must hold") {
  prober::CheckSpec db;
  db.name = "db-primary";
  db.labels = {{"team", "payments"}};
  CHECK(prober::coversCheck({"db-*"}, {}, db));
  CHECK(prober::coversCheck({"web", "db-?rimary"}, {}, db));
  CHECK_FALSE(prober::coversCheck({"db"}, {}, db));
  CHECK(prober::coversCheck({}, {{"team", "payments"}}, db));
  CHECK_FALSE(prober::coversCheck({"db-*"}, {{"team", "search"}}, db));
  CHECK_FALSE(prober::coversCheck({}, {{"env", "prod"}}, db));

  const auto now = utc("2026-12-02T12:00:00Z");
  std::string error;
  const auto silence = prober::silenceFromRequest(
      R"({"checks":["db-*"],"duration":"2h","comment":"failover","created_by":"alice"})", now,
      error);
  REQUIRE_MESSAGE(silence.has_value(), error);
  CHECK(prober::rfc3339Utc(silence->endsAt) == "2026-12-02T14:00:00Z");
  CHECK(silence->createdBy == "alice");
  // Stored and read back whole.
  auto stored = *silence;
  stored.id = 7;
  const auto back = prober::silenceFromJson(prober::toJson(stored));
  REQUIRE(back.has_value());
  CHECK(back->id == 7);
  CHECK(back->checks == stored.checks);
  CHECK(back->endsAt == stored.endsAt);
  CHECK(back->comment == "failover");

  struct Row {
    const char* body;
    const char* error;
  };
  const Row rows[] = {
      {"[]", "the body must be a JSON object"},
      {R"({"duration":"1h"})",
       "a silence names its checks: give checks (globs, [\"*\"] for all), labels, or both"},
      {R"({"checks":["a"]})", "duration is missing (\"30m\", \"2h\")"},
      {R"({"checks":["a"],"duration":"forever"})",
       "duration must be a duration from \"1s\" to \"90d\", like \"30m\" or \"2h\""},
      {R"({"checks":["a"],"duration":"91d"})",
       "duration must be a duration from \"1s\" to \"90d\", like \"30m\" or \"2h\""},
      {R"({"checks":"a","duration":"1h"})", "checks must be an array of globs on check names"},
      {R"({"checks":["a"],"labels":{"team":1},"duration":"1h"})",
       "labels must be an object of strings"},
      {R"({"checks":["a"],"duration":"1h","ends":"x"})",
       "unknown field \"ends\" (checks, labels, duration, comment, created_by)"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.body);
    error.clear();
    CHECK_FALSE(prober::silenceFromRequest(row.body, now, error).has_value());
    CHECK(error == row.error);
  }
}

TEST_CASE("silences: kept to the millisecond asked for, in the store and the API") {
  // Posted at :44.900 for 3 s: it ends at :47.900, not at :47.000 (a held page would go out
  // 0.9 s early).
  const auto now = utc("2026-12-02T12:00:44Z") + std::chrono::milliseconds(900);
  std::string error;
  const auto silence =
      prober::silenceFromRequest(R"({"checks":["api"],"duration":"3s"})", now, error);
  REQUIRE_MESSAGE(silence.has_value(), error);
  CHECK(silence->endsAt == now + std::chrono::seconds(3));
  const auto json = prober::toJson(*silence);
  CHECK(json.at("ends_at").as_string() == "2026-12-02T12:00:47.900Z");
  CHECK(json.at("starts_at").as_string() == "2026-12-02T12:00:44.900Z");
  const auto back = prober::silenceFromJson(json);
  REQUIRE(back.has_value());
  CHECK(back->endsAt == silence->endsAt);
  CHECK(back->startsAt == silence->startsAt);
  // Longer than 90 days is refused (and far from where time arithmetic overflows).
  CHECK_FALSE(prober::silenceFromRequest(R"({"checks":["api"],"duration":"91d"})", now, error));
  CHECK(error == prober::kSilenceDurationRule);
}

TEST_CASE("a silence holds from when it is made, even once the clock is stepped back before it") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("prober-silence-step-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string error;
  auto store = prober::Store::open(dir.string(), error);
  REQUIRE_MESSAGE(store, error);
  prober::PageHolds holds(*store);
  const auto made = std::chrono::system_clock::time_point(std::chrono::hours(490'000));
  auto silence = prober::silenceFromRequest(R"({"checks":["api"],"duration":"2h"})", made, error);
  REQUIRE_MESSAGE(silence, error);
  REQUIRE(holds.add(*silence, error));
  prober::CheckSpec api;
  api.name = "api";
  CHECK(holds.silencedBy(api, made + std::chrono::minutes(1)));
  CHECK(holds.silencedBy(api, made - std::chrono::seconds(30)));     // NTP stepped back 90 s
  CHECK_FALSE(holds.silencedBy(api, made + std::chrono::hours(2)));  // it still ends
  store.reset();
  std::filesystem::remove_all(dir);
}
