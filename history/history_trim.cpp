// The history writer keeping its file within bounds: runs and events older than the retention
// pruned, and the oldest trimmed when the file outgrows history_max_size: runs, then hourly
// counts a day at a time, then events (HistoryWriter in history.h; run() decides when).
#include <sqlite3.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <optional>

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

HistoryWriter::Trimmed HistoryWriter::deleteOldest(const char* sql, std::uint64_t target,
                                                   std::int64_t& deleted, std::string& error) {
  for (int round = 0; round < 10'000 && usedBytes() > target; ++round) {
    Statement remove(db_, sql);
    if (!remove.ok()) {
      error = sqlite3_errmsg(db_);
      return Trimmed::Failed;
    }
    remove.bind(1, std::int64_t{kPruneChunk});
    if (remove.step() != SQLITE_DONE) {
      error = sqlite3_errmsg(db_);
      return Trimmed::Failed;
    }
    const int removed = sqlite3_changes(db_);
    deleted += removed;
    if (removed < kPruneChunk) {
      break;
    }
    if (recordsWaiting()) {
      return Trimmed::Interrupted;
    }
  }
  return Trimmed::Done;
}

bool HistoryWriter::recordsWaiting() {
  std::lock_guard lock(mutex_);
  return stopping_ || !queue_.empty();
}

namespace {

// A meta value as a number; nullopt when there is none (or it is not one).
std::optional<std::int64_t> metaNumber(sqlite3* db, const char* key) {
  const auto text = readHistoryMeta(db, key);
  if (!text) {
    return std::nullopt;
  }
  try {
    return std::stoll(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

HistoryWriter::Trimmed HistoryWriter::trimHourlyCounts(std::uint64_t target, std::int64_t& deleted,
                                                       std::string& error) {
  const std::int64_t now = wallMs(clock_);
  const std::int64_t today = now - now % kDayMs;
  std::int64_t retentionMs = 0;
  {
    std::lock_guard lock(mutex_);
    retentionMs = retention_.count();
  }
  for (int day = 0; day < 4'000 && usedBytes() > target; ++day) {
    if (day > 0 && recordsWaiting()) {
      return Trimmed::Interrupted;
    }
    // 'counts_from_ms' is what the figures are told; 'counts_trimmed_ms' the last day boundary
    // whose older counts are all gone. A day begun and interrupted is resumed, never skipped.
    const auto told = metaNumber(db_, "counts_from_ms");
    const auto trimmed = metaNumber(db_, "counts_trimmed_ms");
    std::int64_t cutoff = 0;
    if (told && (!trimmed || *told > *trimmed)) {
      cutoff = *told;
      if (cutoff > today - kDayMs) {
        return Trimmed::Done;  // the clock stepped back since: yesterday's and today's stay
      }
    } else {
      // The next day after what is gone, or after the oldest count (a scan of every count, the
      // first time only), but never before what the retention already prunes.
      std::int64_t first = 0;
      if (trimmed) {
        first = *trimmed;
      } else {
        Statement oldest(db_, "SELECT MIN(hour_ms) FROM run_hours");
        if (!oldest.ok() || oldest.step() != SQLITE_ROW) {
          error = sqlite3_errmsg(db_);
          return Trimmed::Failed;
        }
        if (sqlite3_column_type(oldest.get(), 0) == SQLITE_NULL) {
          return Trimmed::Done;  // no counts at all
        }
        first = oldest.integer(0);
      }
      if (retentionMs > 0) {
        first = std::max(first, now - retentionMs);
      }
      cutoff = first - first % kDayMs + kDayMs;
      if (cutoff > today - kDayMs) {
        return Trimmed::Done;  // yesterday's and today's stay: the 24 h figure is never cut
      }
      // Said before the rows go, so a figure read meanwhile claims less, never more.
      if (!writeHistoryMeta(db_, "counts_from_ms", std::to_string(cutoff), error)) {
        return Trimmed::Failed;
      }
    }
    // A chunk at a time in key order, each from where the last ended: one pass over the table
    // per day, however many checks.
    std::string cursor;
    for (int round = 0; round < 1'000'000; ++round) {
      Statement remove(db_,
                       "DELETE FROM run_hours WHERE (check_name, hour_ms) IN (SELECT check_name, "
                       "hour_ms FROM run_hours WHERE check_name >= ?1 AND hour_ms < ?2 ORDER BY "
                       "check_name LIMIT ?3) RETURNING check_name");
      if (!remove.ok()) {
        error = sqlite3_errmsg(db_);
        return Trimmed::Failed;
      }
      remove.bind(1, cursor);
      remove.bind(2, cutoff);
      remove.bind(3, std::int64_t{kPruneChunk});
      int removed = 0;
      int rc = SQLITE_ROW;
      while ((rc = remove.step()) == SQLITE_ROW) {
        ++removed;
        cursor = std::max(cursor, remove.text(0));
      }
      if (rc != SQLITE_DONE) {
        error = sqlite3_errmsg(db_);
        return Trimmed::Failed;
      }
      deleted += removed;
      if (removed < kPruneChunk) {
        break;
      }
      if (recordsWaiting()) {
        return Trimmed::Interrupted;  // the next call resumes this day (the told cutoff)
      }
    }
    if (!writeHistoryMeta(db_, "counts_trimmed_ms", std::to_string(cutoff), error)) {
      return Trimmed::Failed;
    }
  }
  return Trimmed::Done;
}

bool HistoryWriter::shrinkTo(std::uint64_t target, std::string& error) {
  const std::uint64_t before = usedBytes();
  std::int64_t deleted = 0;
  // Runs are nearly all of it. Then the hourly counts (the uptime figures, which say from when
  // they count), a day at a time. Events (alerts, deliveries: the incident's timeline) go last.
  Trimmed trimmed = deleteOldest(
      "DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs ORDER BY at_ms LIMIT ?)", target,
      deleted, error);
  if (trimmed == Trimmed::Done) {
    trimmed = trimHourlyCounts(target, deleted, error);
  }
  if (trimmed == Trimmed::Done) {
    trimmed = deleteOldest(
        "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events ORDER BY at_ms LIMIT ?)",
        target, deleted, error);
  }
  if (trimmed == Trimmed::Failed) {
    return true;
  }
  if (trimmed == Trimmed::Interrupted) {
    spdlog::warn("history: over history_max_size, deleted the {} oldest records so far", deleted);
    return false;
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
