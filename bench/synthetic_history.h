#pragma once
// A history database holding 30 days of hourly counts for CHECKS checks ("check-N"), written
// straight into run_hours in one transaction: what the uptime pass reads after a month.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "history/history.h"

namespace prober::bench {

inline bool fillMonthOfHourlyCounts(const std::string& dir, int checks, std::int64_t nowMs) {
  std::string error;
  { auto writer = HistoryWriter::open(dir, std::chrono::hours(24 * 40), error); }
  sqlite3* db = nullptr;
  if (sqlite3_open(historyPath(dir).c_str(), &db) != SQLITE_OK) {
    return false;
  }
  // Rows go in in key order (names sorted as text, hours rising) and with a rollback journal,
  // not the write-ahead log: appended, the month at a million checks (720 million rows) is
  // written once, not once to the log and again to the file. The daemon's writer opens it in
  // WAL mode again afterwards.
  sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr,
               nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO run_hours VALUES (?, ?, 60, ?)", -1, &insert, nullptr);
  const std::int64_t thisHour = nowMs - nowMs % 3'600'000;
  std::vector<std::pair<std::string, int>> names;
  names.reserve(static_cast<std::size_t>(checks));
  for (int c = 0; c < checks; ++c) {
    names.emplace_back("check-" + std::to_string(c), c);
  }
  std::sort(names.begin(), names.end());
  for (const auto& [name, c] : names) {
    for (int h = 719; h >= 0; --h) {
      sqlite3_reset(insert);
      sqlite3_bind_text(insert, 1, name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, thisHour - h * 3'600'000LL);
      sqlite3_bind_int(insert, 3, (c + h) % 97 == 0 ? 55 : 60);
      sqlite3_step(insert);
    }
  }
  sqlite3_finalize(insert);
  const bool ok = sqlite3_exec(db, "COMMIT; PRAGMA journal_mode=WAL", nullptr, nullptr,
                               nullptr) == SQLITE_OK;  // as the daemon reads it
  sqlite3_close(db);
  return ok;
}

}  // namespace prober::bench
