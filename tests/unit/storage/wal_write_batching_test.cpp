// The log-write-gathering VFS: a commit's frames reach the file in one write, a reader on
// another connection never sees a commit before its frames, and a killed writer leaves every
// commit it finished.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "storage/wal_write_batching.h"

namespace {

constexpr int kRowsPerCommit = 40;

struct TempDir {
  TempDir()
      : path(std::filesystem::temp_directory_path() /
             ("prober-wal-batching-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

// The test's database through `vfs` (nullptr: the default), in WAL mode with its table and
// index; nullptr when it cannot be opened (a forked writer cannot REQUIRE).
sqlite3* openOrNull(const std::filesystem::path& file, const char* vfs) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) !=
          SQLITE_OK ||
      sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
      sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   "CREATE TABLE IF NOT EXISTS rows (n INTEGER, text TEXT);"
                   "CREATE INDEX IF NOT EXISTS rows_by_text ON rows(text);",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

sqlite3* open(const std::filesystem::path& file, const char* vfs) {
  sqlite3* db = openOrNull(file, vfs);
  REQUIRE(db != nullptr);
  return db;
}

// One transaction of kRowsPerCommit rows whose text spreads them over the index's pages.
bool commitRows(sqlite3* db, int commit) {
  std::string sql = "BEGIN;";
  for (int i = 0; i < kRowsPerCommit; ++i) {
    const int n = commit * kRowsPerCommit + i;
    sql += "INSERT INTO rows VALUES (" + std::to_string(n) + ", printf('%08d', " +
           std::to_string((n * 7919) % 100'000) + ") || hex(randomblob(60)));";
  }
  sql += "COMMIT;";
  char* error = nullptr;
  const bool ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK;
  if (!ok) {
    std::fprintf(stderr, "commit %d: %s\n", commit, error != nullptr ? error : "?");
    sqlite3_free(error);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return ok;
}

std::int64_t single(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  return value;
}

std::string integrity(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  return out;
}

}  // namespace

TEST_CASE("a commit's log frames go out in one write, and a reader sees whole commits only") {
  TempDir dir;
  const char* vfs = prober::walWriteBatchingVfs();
  REQUIRE(vfs != nullptr);
  const auto file = dir.path / "test.db";
  sqlite3* writer = open(file, vfs);
  sqlite3* reader = open(file, nullptr);  // the default VFS, as another process would read
  // A checkpoint every 100 pages: the log is read back, restarted and written from its start.
  REQUIRE(sqlite3_exec(writer, "PRAGMA wal_autocheckpoint=100;", nullptr, nullptr, nullptr) ==
          SQLITE_OK);

  constexpr int kCommits = 300;
  const auto before = prober::walWriteCounts();
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::thread reading([&] {
    std::int64_t last = 0;
    for (int i = 0; i < 200'000 && !done.load(); ++i) {
      // One statement, one snapshot: the table and its index must agree.
      const std::int64_t both =
          single(reader,
                 "SELECT count(*) * 1000000 + (SELECT count(*) FROM rows INDEXED BY rows_by_text "
                 "WHERE text > '') FROM rows");
      const std::int64_t rows = both / 1'000'000;
      const std::int64_t indexed = both % 1'000'000;
      if (both < 0 || rows < last || rows % kRowsPerCommit != 0 || indexed != rows) {
        ++torn;
      }
      last = rows;
      ++reads;
    }
  });
  for (int commit = 0; commit < kCommits; ++commit) {
    REQUIRE(commitRows(writer, commit));
  }
  done = true;
  reading.join();
  const auto after = prober::walWriteCounts();

  CHECK(torn.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(single(reader, "SELECT count(*) FROM rows") == kCommits * kRowsPerCommit);
  CHECK(integrity(reader) == "ok");
  const auto asked = after.asked - before.asked;
  const auto made = after.made - before.made;
  MESSAGE("log writes asked ", asked, ", made ", made, " over ", kCommits, " commits");
  CHECK(asked > 4 * kCommits);  // several frames a commit, two writes a frame
  CHECK(made * 10 < asked);     // one a commit, or one for 31 frames
  CHECK(after.madeAtBarrier == before.madeAtBarrier);  // every commit frame was spotted
  sqlite3_close(reader);
  sqlite3_close(writer);
}

TEST_CASE("a writer killed mid-stream loses no commit it finished") {
  TempDir dir;
  const char* vfs = prober::walWriteBatchingVfs();
  REQUIRE(vfs != nullptr);
  const auto file = dir.path / "killed.db";
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipeFds[0]);
    sqlite3* db = openOrNull(file, vfs);
    if (db == nullptr) {
      ::_exit(2);
    }
    for (int commit = 0; commit < 100'000; ++commit) {
      if (!commitRows(db, commit)) {
        ::_exit(3);
      }
      const std::int32_t finished = commit + 1;
      if (::write(pipeFds[1], &finished, sizeof finished) != sizeof finished) {
        ::_exit(4);
      }
    }
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  std::int32_t finished = 0;
  for (int i = 0; i < 10'000 && finished < 150; ++i) {
    pollfd ready{pipeFds[0], POLLIN, 0};
    REQUIRE(::poll(&ready, 1, 10'000) == 1);
    REQUIRE(::read(pipeFds[0], &finished, sizeof finished) == sizeof finished);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipeFds[0]);
  REQUIRE(finished >= 150);

  sqlite3* db = open(file, nullptr);
  CHECK(integrity(db) == "ok");
  const std::int64_t rows = single(db, "SELECT count(*) FROM rows");
  CHECK(rows >= std::int64_t{finished} * kRowsPerCommit);
  CHECK(rows % kRowsPerCommit == 0);
  sqlite3_close(db);
}

TEST_CASE("a transaction that spills its cache rewrites frames in place, and stays whole") {
  TempDir dir;
  const char* vfs = prober::walWriteBatchingVfs();
  REQUIRE(vfs != nullptr);
  const auto file = dir.path / "spill.db";
  sqlite3* writer = open(file, vfs);
  // A cache of a few pages: each transaction spills frames and writes some pages again, which
  // rewrites their frames and the commit frame's checksum after the commit frame is out.
  REQUIRE(sqlite3_exec(writer, "PRAGMA cache_size=5;", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto before = prober::walWriteCounts();
  for (int commit = 0; commit < 40; ++commit) {
    REQUIRE(commitRows(writer, commit));
    REQUIRE(sqlite3_exec(writer,
                         "BEGIN; UPDATE rows SET text = text || 'x' WHERE n % 3 = 0;"
                         "UPDATE rows SET text = substr(text, 1, 80) WHERE n % 3 = 0; COMMIT;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  const auto after = prober::walWriteCounts();
  CHECK(after.madeAtBarrier == before.madeAtBarrier);  // nothing was left for the barrier
  sqlite3_close(writer);
  // What a restart after a kill would read: the log recovered by its checksums.
  sqlite3* reader = open(file, nullptr);
  CHECK(integrity(reader) == "ok");
  CHECK(single(reader, "SELECT count(*) FROM rows") == 40 * kRowsPerCommit);
  sqlite3_close(reader);
}
