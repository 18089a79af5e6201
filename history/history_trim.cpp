// The history writer keeping its file within bounds: runs and events older than the retention
// pruned, and the oldest trimmed when the file outgrows history_max_size (HistoryWriter in
// history.h; run() decides when).
#include <sqlite3.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>

#include "history/history.h"
#include "history/history_schema.h"
#include "storage/sqlite_statement.h"

namespace prober {

namespace {

// Pruning deletes this many rows per transaction, so the writer never holds the database long.
constexpr int kPruneChunk = 5000;

}  // namespace

std::uint64_t HistoryWriter::usedBytes() {
  const auto pragma = [this](const char* sql) {
    Statement read(db_, sql);
    return read.ok() && read.step() == SQLITE_ROW ? sqlite3_column_int64(read.get(), 0) : 0;
  };
  const std::int64_t pages = pragma("PRAGMA page_count") - pragma("PRAGMA freelist_count");
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, pages) * pragma("PRAGMA page_size"));
}

bool HistoryWriter::shrinkTo(std::uint64_t target, std::string& error) {
  const std::uint64_t before = usedBytes();
  std::int64_t deleted = 0;
  // Runs are nearly all of it; events (alerts, deliveries) go only once no run is left.
  for (const char* sql :
       {"DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs ORDER BY at_ms LIMIT ?)",
        "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events ORDER BY at_ms LIMIT ?)"}) {
    for (int round = 0; round < 10'000 && usedBytes() > target; ++round) {
      Statement remove(db_, sql);
      if (!remove.ok()) {
        error = sqlite3_errmsg(db_);
        return true;
      }
      remove.bind(1, std::int64_t{kPruneChunk});
      if (remove.step() != SQLITE_DONE) {
        error = sqlite3_errmsg(db_);
        return true;
      }
      const int removed = sqlite3_changes(db_);
      deleted += removed;
      if (removed < kPruneChunk) {
        break;
      }
      std::lock_guard lock(mutex_);
      if (stopping_ || !queue_.empty()) {
        spdlog::warn("history: over history_max_size, deleted the {} oldest records so far",
                     deleted);
        return false;
      }
    }
  }
  spdlog::warn(
      "history: used {} bytes, over history_max_size: deleted the {} oldest records "
      "(now {} bytes)",
      before, deleted, usedBytes());
  return true;
}

bool HistoryWriter::prune(std::int64_t beforeMs, std::string& error) {
  // An hour's counts go with the hour's last run.
  for (const char* sql :
       {"DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE at_ms < ? LIMIT ?)",
        "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE at_ms < ? LIMIT ?)",
        "DELETE FROM run_hours WHERE (check_name, hour_ms) IN (SELECT check_name, hour_ms FROM "
        "run_hours WHERE hour_ms + 3600000 <= ? LIMIT ?)"}) {
    for (int round = 0; round < 10'000; ++round) {  // bounded: 50 million rows at most
      Statement remove(db_, sql);
      if (!remove.ok()) {
        error = sqlite3_errmsg(db_);
        return true;
      }
      remove.bind(1, beforeMs);
      remove.bind(2, std::int64_t{kPruneChunk});
      if (remove.step() != SQLITE_DONE) {
        error = sqlite3_errmsg(db_);
        return true;
      }
      if (sqlite3_changes(db_) < kPruneChunk) {
        break;
      }
      // Between chunks, records queued meanwhile get their turn first.
      std::lock_guard lock(mutex_);
      if (stopping_ || !queue_.empty()) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace prober
