#include "history/history_schema.h"

#include <sqlite3.h>

#include "storage/sqlite_statement.h"

namespace prober {

// runs: one row a run; the phases are whole microseconds, all steps together.
// run_hours: runs and passes per check and UTC hour, kept up to date by the writer as it
// inserts runs, so uptime over 30 days reads 720 rows a check rather than every run.
const char* const kHistorySchema = R"(
CREATE TABLE IF NOT EXISTS runs (
  at_ms INTEGER NOT NULL,
  check_name TEXT NOT NULL,
  passed INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  failure TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_check ON runs(check_name, at_ms);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(at_ms);
CREATE TABLE IF NOT EXISTS events (
  at_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  check_name TEXT NOT NULL,
  action TEXT NOT NULL,
  notifier TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  team_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  channel_name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  user_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events(at_ms);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)";

namespace {

bool hasColumn(sqlite3* db, const char* table, const char* column) {
  Statement info(db, (std::string("PRAGMA table_info(") + table + ")").c_str());
  while (info.ok() && info.step() == SQLITE_ROW) {
    if (info.text(1) == column) {
      return true;
    }
  }
  return false;
}

bool hasTable(sqlite3* db, const char* table) {
  Statement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  query.bind(1, std::string(table));
  return query.ok() && query.step() == SQLITE_ROW;
}

}  // namespace

bool migrateHistory(sqlite3* db, std::string& error) {
  if (!hasColumn(db, "runs", "resolve_us") &&
      !execSql(db,
               "ALTER TABLE runs ADD COLUMN resolve_us INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE runs ADD COLUMN connect_us INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE runs ADD COLUMN tls_us INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE runs ADD COLUMN processing_us INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE runs ADD COLUMN transfer_us INTEGER NOT NULL DEFAULT 0;",
               error)) {
    return false;
  }
  if (hasTable(db, "run_hours")) {
    return true;
  }
  return execSql(db,
                 "BEGIN;"
                 "CREATE TABLE run_hours (check_name TEXT NOT NULL, hour_ms INTEGER NOT NULL, "
                 "runs INTEGER NOT NULL, passed INTEGER NOT NULL, "
                 "PRIMARY KEY (check_name, hour_ms)) WITHOUT ROWID;"
                 "INSERT INTO run_hours SELECT check_name, at_ms - at_ms % 3600000, count(*), "
                 "sum(passed) FROM runs GROUP BY 1, 2;"
                 "COMMIT;",
                 error);
}

bool writeHistoryMeta(sqlite3* db, const std::string& key, const std::string& value,
                      std::string& error) {
  Statement upsert(db,
                   "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value");
  upsert.bind(1, key);
  upsert.bind(2, value);
  if (!upsert.ok() || upsert.step() != SQLITE_DONE) {
    error = sqlite3_errmsg(db);
    return false;
  }
  return true;
}

std::optional<std::string> readHistoryMeta(sqlite3* db, const std::string& key) {
  Statement query(db, "SELECT value FROM meta WHERE key = ?1");
  if (!query.ok()) {
    return std::nullopt;
  }
  query.bind(1, key);
  if (query.step() != SQLITE_ROW) {
    return std::nullopt;
  }
  return query.text(0);
}

}  // namespace prober
