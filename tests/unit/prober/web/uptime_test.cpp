// Uptime from the history's hourly counts: the windows end at the current UTC hour, days are
// UTC days, alerts pair with their resolves, and an hour's counts add up across batches.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "prober/web/uptime.h"
#include "tests/support/temp_history.h"

using prober::RunRecord;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
// 2026-12-02 12:30:00 UTC
constexpr std::int64_t kNow = 1'796'214'600'000;

struct History : prober::testing::TempHistory {
  History() : TempHistory("uptime-test") {}
  void run(const std::string& check, std::int64_t at, bool passed) {
    writer->add(RunRecord{at, check, passed, 5, passed ? 200 : 503, "", ""});
  }
  prober::UptimeSnapshot snapshot(const prober::StatusGroups& groups = {}) {
    auto reader = this->reader();
    std::string error;
    auto snapshot = prober::computeUptime(*reader, kNow, error, groups);
    CHECK(error.empty());
    return snapshot;
  }
};

}  // namespace

TEST_CASE("24 h, 7 d and 30 d count whole UTC hours back from this one") {
  History h;
  h.run("api", kNow - 10 * 60'000, true);  // this hour
  h.run("api", kNow - 23 * kHour, false);  // 23 hours back: in the 24 h
  h.run("api", kNow - 25 * kHour, false);  // in the 7 d, not the 24 h
  h.writer->flush();                       // a second batch adds to the same hour
  h.run("api", kNow - 10 * 60'000 + 1000, true);
  h.run("api", kNow - 20 * kDay, false);  // in the 30 d only
  h.run("api", kNow - 40 * kDay, false);  // too old for any
  h.run("web", kNow - kHour, true);
  const auto spec = [](const std::string& name, const std::string& team) {
    auto check = std::make_shared<prober::CheckSpec>();
    check->name = name;
    if (!team.empty()) {
      check->labels = {{"team", team}};
    }
    return std::shared_ptr<const prober::CheckSpec>(check);
  };
  const auto snapshot = h.snapshot(
      {"team", std::make_shared<const std::vector<std::shared_ptr<const prober::CheckSpec>>>(
                   std::vector{spec("api", "pay"), spec("web", "")})});
  const prober::CheckUptime* api = snapshot.find("api");
  REQUIRE(api != nullptr);
  CHECK(api->last24h.runs == 3);
  CHECK(api->last24h.passed == 2);
  CHECK(api->last7d.runs == 4);
  CHECK(api->last30d.runs == 5);
  CHECK(prober::uptimePercent(api->last30d) == doctest::Approx(40));
  CHECK(prober::uptimePercent(api->last24h) == doctest::Approx(66.66));  // cut, not rounded
  // Days are summed per status group: api is in "pay", web (no team label) in "Other".
  REQUIRE(snapshot.groupDays.count("pay") == 1);
  const auto& pay = snapshot.groupDays.at("pay");
  REQUIRE(pay.size() == 3);
  CHECK(pay.front().startMs == kNow - kNow % kDay - 20 * kDay);
  CHECK(pay.back().runs == 2);
  REQUIRE(snapshot.groupDays.count("Other") == 1);
  CHECK(snapshot.groupDays.at("Other").back().runs == 1);
  CHECK(snapshot.find("web") != nullptr);
  CHECK(snapshot.find("nothing") == nullptr);
  CHECK_FALSE(prober::uptimePercent(prober::RunCount{}).has_value());
  CHECK(prober::uptimeText(prober::RunCount{0, 100'000, 99'999}) == "99.99 %");
}

TEST_CASE("past alerts pair fired with resolved, newest first; degraded ones say so") {
  History h;
  const auto alert = [&](std::int64_t at, const std::string& key, const std::string& action) {
    prober::HistoryEvent e;
    e.atMs = at;
    e.type = prober::HistoryEvent::Type::Alert;
    e.check = key;
    e.action = action;
    h.writer->add(e);
  };
  alert(kNow - 3 * kDay, "api", "fired");
  alert(kNow - 3 * kDay + 12 * 60'000, "api", "resolved");
  alert(kNow - 2 * kDay, "api#degraded", "fired");
  alert(kNow - 2 * kDay + kHour, "api#degraded", "resolved");
  alert(kNow - kDay, "web#cert", "fired");  // a certificate warning is not an outage
  alert(kNow - 60'000, "web", "fired");     // still firing
  const auto snapshot = h.snapshot();
  REQUIRE(snapshot.alerts.size() == 3);
  CHECK(snapshot.alerts[0].check == "web");
  CHECK(snapshot.alerts[0].resolvedMs == 0);
  CHECK(snapshot.alerts[1].kind == prober::AlertKind::Degraded);
  CHECK(snapshot.alerts[2].resolvedMs - snapshot.alerts[2].firedMs == 12 * 60'000);
}

TEST_CASE("runs of one check and hour in one batch add up, however they interleave") {
  History h;
  h.run("api", kNow - 10 * 60'000, true);
  h.run("web", kNow - 9 * 60'000, false);
  h.run("api", kNow - 8 * 60'000, false);
  h.run("api", kNow - 2 * kHour, true);  // another hour of the same check
  h.run("web", kNow - 7 * 60'000, true);
  h.run("api", kNow - 6 * 60'000, true);
  const auto snapshot = h.snapshot();
  const prober::CheckUptime* api = snapshot.find("api");
  const prober::CheckUptime* web = snapshot.find("web");
  REQUIRE(api != nullptr);
  REQUIRE(web != nullptr);
  CHECK(api->last24h.runs == 4);
  CHECK(api->last24h.passed == 3);
  CHECK(web->last24h.runs == 2);
  CHECK(web->last24h.passed == 1);
  // One row per check and hour: api's two hours and web's one.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(prober::historyPath(h.dir.string()).c_str(), &db, SQLITE_OPEN_READONLY,
                          nullptr) == SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*), sum(runs) FROM run_hours", -1, &count,
                             nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(count) == SQLITE_ROW);
  CHECK(sqlite3_column_int(count, 0) == 3);
  CHECK(sqlite3_column_int(count, 1) == 6);
  sqlite3_finalize(count);
  sqlite3_close(db);
}

TEST_CASE("figures say they cover only the days since history_max_size trimmed the counts") {
  History h;
  h.run("api", kNow - kHour, true);
  h.reader();  // written, the file made
  // As a trim leaves it: the counts start at a UTC midnight eight days and 12.5 hours back.
  const std::int64_t from = kNow - kNow % kDay - 8 * kDay;
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((h.dir / "history.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10'000);  // the writer's thread may be committing (pruning at start)
    const std::string sql =
        "INSERT INTO meta(key, value) VALUES('counts_from_ms', '" + std::to_string(from) + "')";
    CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto snapshot = h.snapshot();
  CHECK(snapshot.countsFromMs == from);
  CHECK(snapshot.coveredLabel(prober::kMonthWindow) == "8 d");  // whole days, never more
  for (const auto* whole : {&prober::kUptimeWindows[0], &prober::kUptimeWindows[1]}) {
    CHECK(snapshot.covered(*whole) == whole->span);  // 24 h and 7 d are whole
  }
  // The retention cuts too; the shorter of the two is said.
  snapshot.retention = std::chrono::hours(24 * 5);
  CHECK(snapshot.coveredLabel(prober::kMonthWindow) == "5 d");
  // A marker ahead of the clock (stepped back since the trim) claims the least, not the window.
  snapshot.countsFromMs = kNow + kDay;
  CHECK(snapshot.coveredLabel(prober::kMonthWindow) == "1 d");
}
