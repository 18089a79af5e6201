// The history store: batched writes read back in order, filters by check and time, the newest
// runs when there are more than asked for, and pruning past the retention.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <sqlite3.h>

#include "history/history.h"
#include "tests/support/history_event.h"
#include "tests/support/temp_history.h"

using prober::HistoryEvent;
using prober::HistoryReader;
using prober::HistoryWriter;
using prober::RunRecord;
using prober::testing::historyEvent;

namespace {

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("prober-history-test-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::remove_all(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

}  // namespace

TEST_CASE("runs and events are written in batches and read back in order") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 14), error);
  REQUIRE_MESSAGE(writer, error);
  const std::int64_t t0 = nowMs() - 60'000;
  for (int i = 0; i < 1000; ++i) {
    writer->add(RunRecord{t0 + i, i % 2 == 0 ? "api" : "web", i % 10 != 0, 12.5, 200,
                          i % 10 == 0 ? "http_status" : "",
                          i % 10 == 0 ? "status == 200 (got 503)" : ""});
  }
  HistoryEvent fired = historyEvent(t0 + 5, HistoryEvent::Type::Alert, "api", "fired", "", "",
                                    "status == 200 (got 503)");
  HistoryEvent sent = historyEvent(t0 + 6, HistoryEvent::Type::Notification, "api", "trigger",
                                   "pagerduty", "delivered", "HTTP 202");
  HistoryEvent cert = historyEvent(t0 + 7, HistoryEvent::Type::Alert, "web#cert", "fired");
  HistoryEvent command{t0 + 8,       HistoryEvent::Type::SlashCommand,
                       "",           "refused",
                       "",           "channel not allowed",
                       "db is down", "T1",
                       "C9",         "random",
                       "U2",         "mallory"};
  writer->add(command);
  writer->add(sent);
  writer->add(fired);
  writer->add(cert);
  writer->flush();
  CHECK(writer->written() == 1004);
  CHECK(writer->dropped() == 0);
  CHECK(writer->lastError() == "");

  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  const auto api = reader->runs("api", t0, t0 + 1000, 10'000, error);
  CHECK(error == "");
  REQUIRE(api.size() == 500);
  CHECK(api.front().atMs == t0);
  CHECK(api.back().atMs == t0 + 998);
  CHECK_FALSE(api.front().passed);
  CHECK(api.front().failure == "status == 200 (got 503)");
  CHECK(api.front().reason == "http_status");
  CHECK(api[1].passed);
  CHECK(api[1].latencyMs == doctest::Approx(12.5));
  CHECK(api[1].status == 200);

  const auto newest = reader->runs("", t0, t0 + 1000, 3, error);
  REQUIRE(newest.size() == 3);
  CHECK(newest[0].atMs == t0 + 997);  // the newest three, oldest first
  CHECK(newest[2].atMs == t0 + 999);
  CHECK(reader->runs("api", t0 + 1000, t0 + 2000, 10, error).empty());
  CHECK(reader->checksWithRuns(t0, t0 + 1000, error) == std::vector<std::string>{"api", "web"});

  const auto all = reader->events({}, t0, t0 + 1000, error);
  REQUIRE(all.size() == 4);
  CHECK(all[0].type == HistoryEvent::Type::Alert);  // by time, whatever the order added
  CHECK(all[0].action == "fired");
  CHECK(all[1].notifier == "pagerduty");
  CHECK(all[1].outcome == "delivered");
  CHECK(all[1].detail == "HTTP 202");
  CHECK(all[3].type == HistoryEvent::Type::SlashCommand);
  CHECK(all[3].userName == "mallory");
  CHECK(all[3].channelId == "C9");
  // A check filter keeps its alerts (the certificate one too) and every slash command.
  const auto web = reader->events({"web"}, t0, t0 + 1000, error);
  REQUIRE(web.size() == 2);
  CHECK(web[0].check == "web#cert");
  CHECK(web[1].type == HistoryEvent::Type::SlashCommand);
}

// The writer keeps its statements prepared from batch to batch: a batch the database refuses
// is dropped whole and counted, and the statements go on working for the next one, even though
// the schema changed under them (a trigger added, then dropped, by another connection).
TEST_CASE("a batch the database refuses is dropped whole; the next batch is written") {
  prober::testing::TempHistory history("refused-batch");
  HistoryWriter* writer = history.writer.get();
  const std::int64_t t0 = nowMs() - 60'000;
  writer->add(RunRecord{t0, "a", true, 1.0, 200, "", ""});
  writer->flush();
  REQUIRE(writer->written() == 1);

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(prober::historyPath(history.dir.string()).c_str(), &other) == SQLITE_OK);
  sqlite3_busy_timeout(other, 2000);
  const auto exec = [other](const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(other, sql, nullptr, nullptr, &message);
    INFO(sql << ": " << (message != nullptr ? message : ""));
    sqlite3_free(message);
    return rc == SQLITE_OK;
  };
  REQUIRE(
      exec("CREATE TRIGGER refuse BEFORE INSERT ON runs WHEN NEW.check_name = 'bad' "
           "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"));
  writer->add(RunRecord{t0 + 1, "b", true, 1.0, 200, "", ""});
  writer->add(RunRecord{t0 + 2, "bad", true, 1.0, 200, "", ""});
  writer->flush();
  CHECK(writer->written() == 1);
  CHECK(writer->dropped() == 2);
  CHECK(writer->lastError().find("refused by the test") != std::string::npos);

  REQUIRE(exec("DROP TRIGGER refuse"));
  sqlite3_close(other);
  writer->add(RunRecord{t0 + 3, "c", false, 1.0, 503, "http_status", "status == 200 (got 503)"});
  writer->flush();
  CHECK(writer->written() == 2);
  CHECK(writer->lastError() == "");

  std::string error;
  const auto runs = history.reader()->runs("", t0, t0 + 10, 100, error);
  REQUIRE(runs.size() == 2);  // "b" went with the batch it was in
  CHECK(runs[0].check == "a");
  CHECK(runs[1].check == "c");
  CHECK(runs[1].failure == "status == 200 (got 503)");
}

TEST_CASE("what is older than the retention is pruned, the rest kept") {
  TempDir dir;
  std::string error;
  const std::int64_t now = nowMs();
  {
    auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
    REQUIRE_MESSAGE(writer, error);
    for (int i = 0; i < 12'000; ++i) {  // more than one pruning chunk
      writer->add(RunRecord{now - 20 * kDayMs + i, "old", true, 1, 200, "", ""});
    }
    writer->add(RunRecord{now - kDayMs, "recent", true, 1, 200, "", ""});
    writer->add(historyEvent(now - 20 * kDayMs, HistoryEvent::Type::Alert, "old", "fired"));
    writer->flush();
    CHECK(writer->written() == 12'002);
  }
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 14), error);
  REQUIRE_MESSAGE(writer, error);
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  // Pruning runs on the writer's thread shortly after it starts: wait for it, at most 10 s.
  bool pruned = false;
  for (int i = 0; i < 100 && !pruned; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pruned =
        reader->runs("old", 0, now, 1, error).empty() && reader->events({}, 0, now, error).empty();
  }
  CHECK(pruned);
  CHECK(reader->runs("recent", 0, now, 10, error).size() == 1);
}

TEST_CASE("reading a state directory without history says so") {
  TempDir dir;
  std::string error;
  CHECK(HistoryReader::open(dir.path.string(), error) == nullptr);
  CHECK(error.find("no history at") != std::string::npos);
}

TEST_CASE("a job queued after records runs on the writer's thread and sees them") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24), error);
  REQUIRE_MESSAGE(writer, error);
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  const std::int64_t t0 = nowMs() - 1000;
  for (int i = 0; i < 50; ++i) {
    writer->add(RunRecord{t0 + i, "api", true, 1.0, 200, "", ""});
  }
  std::mutex mutex;
  std::condition_variable done;
  std::optional<std::size_t> seen;
  std::thread::id ranOn;
  writer->runAfterWrites([&] {
    std::string readError;
    const auto runs = reader->runs("api", 0, nowMs() + 1, 1000, readError);
    std::lock_guard lock(mutex);
    seen = runs.size();
    ranOn = std::this_thread::get_id();
    done.notify_one();
  });
  std::unique_lock lock(mutex);
  REQUIRE(done.wait_for(lock, std::chrono::seconds(10), [&] { return seen.has_value(); }));
  CHECK(*seen == 50);
  CHECK(ranOn != std::this_thread::get_id());
}

TEST_CASE("jobs still queued when the writer stops run before it is gone") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24), error);
  REQUIRE_MESSAGE(writer, error);
  int ran = 0;
  for (int i = 0; i < 3; ++i) {
    writer->add(RunRecord{nowMs(), "api", true, 1.0, 200, "", ""});
    writer->runAfterWrites([&] { ++ran; });
  }
  writer.reset();  // joins the thread: every job has run
  CHECK(ran == 3);
}

TEST_CASE("abandoned jobs: queued ones never run, later ones are refused, records still land") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24), error);
  REQUIRE_MESSAGE(writer, error);
  auto owner = std::make_unique<int>(0);  // what the jobs capture, gone after abandonJobs
  int* counter = owner.get();
  std::atomic<int> ran{0};
  for (int i = 0; i < 3; ++i) {
    writer->add(RunRecord{nowMs(), "api", true, 1.0, 200, "", ""});
    writer->runAfterWrites([counter, &ran] {
      ++*counter;
      ++ran;
    });
  }
  writer->abandonJobs();
  const int before = ran.load();
  owner.reset();
  writer->runAfterWrites([&ran] { ++ran; });
  writer->add(RunRecord{nowMs(), "api", true, 1.0, 200, "", ""});
  writer->flush();
  writer.reset();
  CHECK(ran.load() == before);  // nothing ran after abandonJobs returned
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  CHECK(reader->runs("api", 0, nowMs() + 1, 100, error).size() == 4);
}

TEST_CASE("a long read runs beside the writes: records keep landing while it reads") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24), error);
  REQUIRE_MESSAGE(writer, error);
  std::mutex mutex;
  std::condition_variable changed;
  bool reading = false;
  bool release = false;
  REQUIRE(writer->runReadAfterWrites([&] {  // an uptime pass over a month at a million checks
    std::unique_lock lock(mutex);
    reading = true;
    changed.notify_all();
    changed.wait_for(lock, std::chrono::seconds(30), [&] { return release; });
  }));
  {
    std::unique_lock lock(mutex);
    REQUIRE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return reading; }));
  }
  for (int i = 0; i < 100; ++i) {
    writer->add(RunRecord{nowMs(), "api", true, 1.0, 200, "", ""});
  }
  auto flushed = std::async(std::launch::async, [&] { writer->flush(); });
  const bool landed = flushed.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  CHECK(landed);  // written while the read still runs
  CHECK(writer->written() == 100);
  // Reads waiting are bounded: past kMaxQueuedReads one is refused, not queued.
  std::size_t accepted = 0;
  while (accepted < HistoryWriter::kMaxQueuedReads + 10 && writer->runReadAfterWrites([] {})) {
    ++accepted;
  }
  CHECK(accepted == HistoryWriter::kMaxQueuedReads);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  flushed.wait();
}

TEST_CASE("past history_max_size the oldest runs go, whatever their age; events stay") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
  REQUIRE_MESSAGE(writer, error);
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  const std::int64_t t0 = nowMs() - kDayMs;
  constexpr int kRuns = 60'000;  // about 5 MB of records
  for (int i = 0; i < kRuns; ++i) {
    writer->add(
        RunRecord{t0 + i, "check-" + std::to_string(i % 100), i % 50 != 0, 12.5, 200, "", ""});
  }
  writer->add(historyEvent(t0, HistoryEvent::Type::Alert, "check-0", "fired"));
  writer->flush();
  REQUIRE(writer->written() == kRuns + 1);
  CHECK(writer->sizeOnDisk() > 4'000'000);

  // A reader queued after the cap is set sees the records within it.
  writer->setMaxSize(2 * 1024 * 1024);
  std::mutex mutex;
  std::condition_variable done;
  std::optional<std::vector<RunRecord>> kept;
  writer->runAfterWrites([&] {
    std::string readError;
    auto runs = reader->runs("check-0", 0, nowMs(), kRuns, readError);
    std::lock_guard lock(mutex);
    kept = std::move(runs);
    done.notify_one();
  });
  std::unique_lock lock(mutex);
  REQUIRE(done.wait_for(lock, std::chrono::seconds(30), [&] { return kept.has_value(); }));
  // 2 MiB, kept at 90 %: roughly 20,000 of the 60,000 runs at ~85 bytes each, the newest.
  const std::size_t keptOfCheck0 = kept->size();  // one run in 100 is check-0's
  CHECK(keptOfCheck0 > 100);
  CHECK(keptOfCheck0 < 300);
  CHECK(kept->back().atMs == t0 + kRuns - 100);  // the newest is there (oldest first)
  CHECK(kept->front().atMs > t0 + kRuns / 2);    // the oldest went
  CHECK(reader->events({}, 0, nowMs(), error).size() == 1);
}

TEST_CASE(
    "past history_max_size with no run left, hourly counts go a day at a time, oldest first") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
  REQUIRE_MESSAGE(writer, error);
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  constexpr std::int64_t kHour = 3'600'000;
  constexpr std::int64_t kDay = 24 * kHour;
  const std::int64_t today = nowMs() - nowMs() % kDay;
  // 400 checks, one run an hour for twelve days: 115,200 hourly counts, several MB.
  constexpr int kChecks = 400;
  for (std::int64_t hour = today - 11 * kDay; hour <= nowMs(); hour += kHour) {
    for (int c = 0; c < kChecks; ++c) {
      writer->add(RunRecord{hour + c, "check-" + std::to_string(c), true, 1.0, 200, "", ""});
    }
  }
  writer->add(historyEvent(today - 11 * kDay, HistoryEvent::Type::Alert, "check-0", "fired"));
  writer->flush();
  CHECK(reader->countsFromMs(error) == 0);  // never trimmed

  // Records keep coming while it trims (a live daemon): the trim gives way to them between
  // chunks and resumes the day it was on, never skipping one.
  writer->setMaxSize(1024 * 1024);
  std::thread live([&] {
    for (int i = 0; i < 1500; ++i) {
      writer->add(RunRecord{nowMs(), "live", true, 1.0, 200, "", ""});
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  live.join();
  for (int turn = 0; turn < 5; ++turn) {
    writer->flush();
  }
  std::mutex mutex;
  std::condition_variable done;
  bool read = false;
  std::int64_t countsFrom = 0;
  std::int64_t oldestHour = 0;
  std::int64_t hoursToday = 0;
  std::size_t runsLeft = 0;
  std::size_t eventsLeft = 0;
  writer->runAfterWrites([&] {
    std::string readError;
    const std::int64_t from = reader->countsFromMs(readError);
    std::int64_t oldest = INT64_MAX;
    std::int64_t ofToday = 0;
    reader->forEachHourlyCount(
        0,
        [&](const std::string&, const prober::RunCount& hour) {
          oldest = std::min(oldest, hour.startMs);
          ofToday += hour.startMs >= today ? 1 : 0;
        },
        readError);
    const auto runs = reader->runs("", 0, nowMs() + kHour, 100'000, readError);
    const auto events = reader->events({}, 0, nowMs() + kHour, readError);
    std::lock_guard lock(mutex);
    countsFrom = from;
    oldestHour = oldest;
    hoursToday = ofToday;
    runsLeft = runs.size();
    eventsLeft = events.size();
    read = true;
    done.notify_one();
  });
  std::unique_lock lock(mutex);
  REQUIRE(done.wait_for(lock, std::chrono::seconds(60), [&] { return read; }));
  CHECK(runsLeft == 0);  // runs go first
  // Then the oldest days of counts, whole UTC days; the marker says from when they count.
  INFO("counts from day ", (countsFrom - today) / kDay, " (0 is today)");
  CHECK(oldestHour == countsFrom);  // what is said is what is kept
  CHECK(countsFrom > today - 11 * kDay);
  CHECK(countsFrom % kDay == 0);
  CHECK(oldestHour >= countsFrom);
  CHECK(countsFrom <= today - kDay);  // yesterday and today are never cut
  CHECK(hoursToday >= kChecks);
  CHECK(eventsLeft == 1);  // the incident's timeline goes last
}

TEST_CASE(
    "a trim left unfinished at a cutoff the clock has since stepped back past keeps "
    "yesterday's and today's counts") {
  TempDir dir;
  std::string error;
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
  REQUIRE_MESSAGE(writer, error);
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  constexpr std::int64_t kDay = 24 * 3'600'000;
  const std::int64_t today = nowMs() - nowMs() % kDay;
  for (int c = 0; c < 50; ++c) {
    writer->add(RunRecord{today - kDay + c, "check-" + std::to_string(c), true, 1.0, 200, "", ""});
    writer->add(RunRecord{nowMs() - c, "check-" + std::to_string(c), true, 1.0, 200, "", ""});
  }
  writer->flush();
  {
    // As a trim interrupted at today's midnight leaves it (the clock was a day ahead then).
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path / "history.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10'000);
    const std::string sql = "INSERT INTO meta(key, value) VALUES('counts_from_ms', '" +
                            std::to_string(today) + "'), ('counts_trimmed_ms', '" +
                            std::to_string(today - kDay) + "')";
    CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  writer->setMaxSize(1);  // everything that may go, goes
  writer->flush();
  writer->flush();
  std::int64_t yesterday = 0;
  std::mutex mutex;
  std::condition_variable done;
  bool read = false;
  writer->runAfterWrites([&] {
    std::string readError;
    std::int64_t count = 0;
    reader->forEachHourlyCount(
        0,
        [&](const std::string&, const prober::RunCount& hour) {
          count += hour.startMs < today ? 1 : 0;
        },
        readError);
    std::lock_guard lock(mutex);
    yesterday = count;
    read = true;
    done.notify_one();
  });
  std::unique_lock lock(mutex);
  REQUIRE(done.wait_for(lock, std::chrono::seconds(30), [&] { return read; }));
  CHECK(yesterday == 50);  // the runs went; yesterday's hourly counts stay
}

namespace {

// What a second connection sees of the history file: pages in use times the page size.
std::int64_t usedBytesOf(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10'000);
  const auto pragma = [&](const char* sql) {
    sqlite3_stmt* statement = nullptr;
    std::int64_t value = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      value = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
    return value;
  };
  const std::int64_t used =
      (pragma("PRAGMA page_count") - pragma("PRAGMA freelist_count")) * pragma("PRAGMA page_size");
  sqlite3_close(db);
  return used;
}

// One integer a query returns, read on a connection of its own.
std::int64_t queryNumber(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10'000);
  sqlite3_stmt* statement = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_type(statement, 0) != SQLITE_NULL) {
    value = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE("a trim of hourly counts stopped mid-day resumes that day and trims no more than asked") {
  TempDir dir;
  const auto file = dir.path / "history.db";
  constexpr std::int64_t kDay = 24 * 3'600'000;
  const std::int64_t today = nowMs() - nowMs() % kDay;
  const std::int64_t oldest = today - 4 * kDay;
  // Five days of counts, 40,000 a day (eight of the trim's chunks). Names sort by day, so each
  // day fills pages of its own and trimming one frees a day's worth of the file.
  constexpr int kPerDay = 40'000;
  std::string error;
  {
    auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
    REQUIRE_MESSAGE(writer, error);
    writer->flush();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10'000);
    const std::string sql =
        "WITH RECURSIVE n(i) AS (VALUES(0) UNION ALL SELECT i + 1 FROM n WHERE i + 1 < " +
        std::to_string(5 * kPerDay) + ") INSERT INTO run_hours SELECT printf('d%d-c%05d', i / " +
        std::to_string(kPerDay) + ", (i % " + std::to_string(kPerDay) + ") / 24), " +
        std::to_string(oldest) + " + (i / " + std::to_string(kPerDay) + ") * " +
        std::to_string(kDay) + " + (i % 24) * 3600000, 1, 1 FROM n";
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string why = message != nullptr ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    REQUIRE_MESSAGE(rc == SQLITE_OK, why);
  }
  const auto rowsBefore = [&](std::int64_t at) {
    return queryNumber(file,
                       "SELECT count(*) FROM run_hours WHERE hour_ms < " + std::to_string(at));
  };
  REQUIRE(rowsBefore(oldest + kDay) == kPerDay);
  // A cap a little under what is used; the trim goes down to 90 % of it, a fifth of a day
  // short of four days: trimming the oldest day is enough, and two would lose one for nothing.
  const std::int64_t used = usedBytesOf(file);
  const std::uint64_t cap = static_cast<std::uint64_t>(used / 100 * 95);

  {
    // The cap set and the writer stopped at once: the trim begins the oldest day, then stops at
    // its first chunk boundary because the writer is stopping.
    auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
    REQUIRE_MESSAGE(writer, error);
    writer->setMaxSize(cap);
  }
  const std::int64_t left = rowsBefore(oldest + kDay);
  INFO("rows of the oldest day left by the stopped trim: ", left);
  REQUIRE(left > 0);  // stopped mid-day
  REQUIRE(left < kPerDay);
  CHECK(queryNumber(file, "SELECT value FROM meta WHERE key = 'counts_from_ms'") ==
        oldest + kDay);  // said before the rows went
  CHECK(queryNumber(file, "SELECT value FROM meta WHERE key = 'counts_trimmed_ms'") == -1);

  {
    auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 365), error);
    REQUIRE_MESSAGE(writer, error);
    writer->setMaxSize(cap);
    // A job runs after the turn's trim: once it has run, the trim has ended.
    std::promise<void> ran;
    writer->runAfterWrites([&] { ran.set_value(); });
    REQUIRE(ran.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  }
  // The resumed trim finished the oldest day and stopped: the next day is whole.
  CHECK(rowsBefore(oldest + kDay) == 0);
  CHECK(rowsBefore(oldest + 2 * kDay) == kPerDay);
  CHECK(queryNumber(file, "SELECT value FROM meta WHERE key = 'counts_trimmed_ms'") ==
        oldest + kDay);
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  CHECK(reader->countsFromMs(error) == oldest + kDay);
}

TEST_CASE("a history from before phases and hourly counts is brought up to date on open") {
  TempDir dir;
  std::filesystem::create_directories(dir.path);
  // Two hours back from this hour (the writer prunes by the real clock's retention).
  const std::int64_t h0 = nowMs() - nowMs() % 3'600'000 - 2 * 3'600'000;
  const auto at = [&](std::int64_t offset) { return std::to_string(h0 + offset); };
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path / "history.db").c_str(), &db) == SQLITE_OK);
    char* message = nullptr;
    const std::string sql =
        "CREATE TABLE runs (at_ms INTEGER NOT NULL, check_name TEXT NOT NULL, passed INTEGER NOT "
        "NULL, latency_ms REAL NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL, failure "
        "TEXT NOT NULL); INSERT INTO runs VALUES (" +
        at(0) + ", 'api', 1, 5, 200, '', ''), (" + at(100000) +
        ", 'api', 0, 5, 503, 'http_status', 'x'), (" + at(3'700'000) +
        ", 'api', 1, 5, 200, '', '');";
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    CHECK_MESSAGE(rc == SQLITE_OK, (message ? message : ""));
    sqlite3_free(message);
    sqlite3_close(db);
  }
  std::string error;
  {
    // A report may read it before the new daemon ever opened it.
    auto first = HistoryReader::open(dir.path.string(), error);
    REQUIRE_MESSAGE(first, error);
    CHECK(first->runs("api", h0, h0 + 8'000'000, 10, error).size() == 3);
    CHECK(error.empty());
  }
  auto writer = HistoryWriter::open(dir.path.string(), std::chrono::hours(24 * 3660), error);
  REQUIRE_MESSAGE(writer, error);
  RunRecord run{h0 + 3'800'000, "api", true, 12, 200, "", ""};
  run.phaseMs = {1.5f, 2.25f, 0, 6, 2.25f};
  writer->add(run);
  writer->flush();
  auto reader = HistoryReader::open(dir.path.string(), error);
  REQUIRE_MESSAGE(reader, error);
  const auto hours = reader->hourlyCounts("api", h0, h0 + 8'000'000, error);
  CHECK(error.empty());
  REQUIRE(hours.size() == 2);
  CHECK(hours[0].startMs == h0);
  CHECK(hours[0].runs == 2);
  CHECK(hours[0].passed == 1);
  CHECK(hours[1].runs == 2);  // one from before, one added since: counted together
  const auto runs = reader->runs("api", h0, h0 + 8'000'000, 10, error);
  REQUIRE(runs.size() == 4);
  CHECK(runs[0].phaseMs[0] == 0);  // recorded before phases were
  CHECK(runs[3].phaseMs[1] == doctest::Approx(2.25));
  CHECK(runs[3].phaseMs[3] == doctest::Approx(6));
}
