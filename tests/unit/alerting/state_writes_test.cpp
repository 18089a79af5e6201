// A full disk loses nothing: writes the store refuses wait in order and are retried with
// backoff; outcomes recorded meanwhile follow them; rows delivered from memory are adopted by
// the store once it takes them, so what is stored matches what was delivered.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "alerting/pager.h"
#include "alerting/store.h"
#include "alerting/write_backlog.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/set_clock.h"

using prober::WriteBacklog;

namespace {

// A write that fails while `*full` holds (as a full disk would), recording when it ran.
WriteBacklog::Write write(const bool* full, std::vector<std::string>* log, std::string name) {
  return [full, log, name](std::string& error) {
    if (*full) {
      error = "database or disk is full";
      return false;
    }
    log->push_back(name);
    return true;
  };
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("prober-state-writes-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::remove_all(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

prober::OutboxRow row(const std::string& check, prober::AlertAction action) {
  prober::OutboxRow row;
  row.check = check;
  row.notifier = "pd";
  row.event.action = action;
  row.event.check = check;
  return row;
}

prober::Notifiers pagerDutyOnly() {
  return {{"pd", prober::Notifier{"pd", prober::PagerDutySettings{
                                            "KEY", "http://127.0.0.1:1/v2/enqueue", "critical"}}}};
}

}  // namespace

TEST_CASE("a refused write waits; later writes queue behind it in order; retry stores all") {
  bool full = true;
  std::vector<std::string> stored;
  WriteBacklog backlog;
  CHECK_FALSE(backlog.submit(write(&full, &stored, "trigger")));
  CHECK(backlog.pending() == 1);
  CHECK(backlog.failures() == 1);
  CHECK(backlog.lastError() == "database or disk is full");
  full = false;
  // The disk has room again, but the resolve must not be stored before its trigger.
  CHECK_FALSE(backlog.submit(write(&full, &stored, "resolve")));
  CHECK(stored.empty());
  CHECK(backlog.pending() == 2);
  CHECK(backlog.retry());
  CHECK(stored == std::vector<std::string>{"trigger", "resolve"});
  CHECK(backlog.pending() == 0);
  CHECK(backlog.lastError().empty());
  CHECK(backlog.submit(write(&full, &stored, "next")));  // nothing waits: written at once
}

TEST_CASE("retries back off from 1 s to 60 s and start over once the backlog drains") {
  bool full = true;
  std::vector<std::string> stored;
  WriteBacklog backlog;
  backlog.submit(write(&full, &stored, "a"));
  std::vector<std::int64_t> delays{backlog.retryDelayMs()};
  for (int i = 0; i < 8; ++i) {
    CHECK_FALSE(backlog.retry());
    delays.push_back(backlog.retryDelayMs());
  }
  CHECK(delays == std::vector<std::int64_t>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000,
                                            60000});
  CHECK(backlog.failures() == 9);
  full = false;
  CHECK(backlog.retry());
  CHECK(backlog.retryDelayMs() == 1000);
}

TEST_CASE("outcomes the store refused are recorded once it takes them: nothing is resent") {
  TempDir dir;
  std::string error;
  auto store = prober::Store::open(dir.path.string(), error);
  REQUIRE_MESSAGE(store, error);
  prober::testing::FakeTransport transport;
  bool full = false;
  WriteBacklog backlog;
  prober::testing::SetClock clock;
  prober::Pager pager(
      store.get(), transport, clock, clock.timers(),
      prober::Pager::Hooks{[] { return 0.5; },
                           {},
                           [&](WriteBacklog::Write toStore) {
                             // The disk as the test says: full refuses every write.
                             backlog.submit([&, toStore](std::string& e) {
                               if (full) {
                                 e = "database or disk is full";
                                 return false;
                               }
                               return toStore(e);
                             });
                           }});
  pager.setNotifiers(pagerDutyOnly(), "");
  std::vector<prober::OutboxRow> rows{row("api", prober::AlertAction::Trigger)};
  REQUIRE(store->recordTransition("api", prober::SavedAlert{true, 3, 1, 0, {"pd"}}, rows, error));
  pager.add(rows);
  pager.poll();
  full = true;  // the disk fills while the trigger is in flight
  transport.answer(202);
  CHECK(backlog.pending() == 1);
  CHECK(store->pendingCount(error) == 1);  // a crash now would resend it: a duplicate, not a loss
  full = false;
  CHECK(backlog.retry());
  CHECK(store->pendingCount(error) == 0);  // stored as delivered
}

TEST_CASE("a row delivered from memory is adopted by the store once its write goes through") {
  TempDir dir;
  std::string error;
  auto store = prober::Store::open(dir.path.string(), error);
  REQUIRE_MESSAGE(store, error);
  prober::testing::FakeTransport transport;
  prober::testing::SetClock clock;
  prober::Pager pager(store.get(), transport, clock, clock.timers(),
                      prober::Pager::Hooks{[] { return 0.5; }, {}, {}});
  pager.setNotifiers(pagerDutyOnly(), "");
  // The trigger's write was refused: it goes out from memory with an unstored id.
  prober::OutboxRow trigger = row("api", prober::AlertAction::Trigger);
  trigger.id = -1;
  pager.add({trigger});
  pager.poll();
  REQUIRE(transport.sent.size() == 1);
  // The disk frees while it is in flight: the write goes through and the pager adopts the id.
  std::vector<prober::OutboxRow> stored{row("api", prober::AlertAction::Trigger)};
  REQUIRE(store->recordTransition("api", prober::SavedAlert{true, 3, 1, 0, {"pd"}}, stored, error));
  CHECK(pager.rekey(-1, stored[0].id));
  CHECK_FALSE(pager.rekey(-1, stored[0].id));  // once
  transport.answer(202);
  CHECK(store->pendingCount(error) == 0);  // its delivery was recorded against the stored row
  CHECK(store->loadAlerts(error).at("api").firing);  // so a restart resolves it later
}

TEST_CASE("a start on a full disk keeps the silences still running") {
  TempDir dir;
  std::filesystem::create_directories(dir.path);
  std::string error;
  auto store = prober::Store::open(dir.path.string(), error);
  REQUIRE_MESSAGE(store, error);
  const std::int64_t now = 1'700'000'000'000;
  REQUIRE(store->addSilence(R"({"ended":true})", now - 1000, error) > 0);
  const std::int64_t running = store->addSilence(R"({"running":true})", now + 3'600'000, error);
  REQUIRE(running > 0);
  {
    // The disk refuses the pruning of expired silences (as SQLITE_FULL would).
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path / "prober.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10'000);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TRIGGER full BEFORE DELETE ON silences BEGIN "
                         "SELECT RAISE(FAIL, 'database or disk is full'); END",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  error.clear();
  const auto silences = store->loadSilences(now, error);
  CHECK(error.find("pruning expired silences") != std::string::npos);  // said
  CHECK(std::any_of(silences.begin(), silences.end(),
                    [&](const auto& row) { return row.first == running; }));  // and still held
}
