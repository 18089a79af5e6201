#include <sqlite3.h>

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>

#include "alerting/alert_event.h"
#include "history/history.h"
#include "history/history_schema.h"
#include "storage/sqlite_statement.h"

namespace prober {

std::unique_ptr<HistoryReader> HistoryReader::open(const std::string& stateDir,
                                                   std::string& error) {
  const std::string path = historyPath(stateDir);
  if (!std::filesystem::exists(path)) {
    error = fmt::format("no history at {}: has the daemon run with state_dir {}?", path, stateDir);
    return nullptr;
  }
  // Read-write but never creating: a WAL database is read through its -shm file, which a
  // read-only connection cannot make when the daemon is not running. Nothing is written but
  // what a history from an earlier version lacks (migrateHistory), so `prober report` reads one
  // before the new daemon has opened it.
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    error = fmt::format("cannot open {}: {}", path,
                        db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 2000);
  if (!migrateHistory(db, error)) {
    error = fmt::format("cannot read {}: {}", path, error);
    sqlite3_close(db);
    return nullptr;
  }
  return std::unique_ptr<HistoryReader>(new HistoryReader(db));
}

HistoryReader::~HistoryReader() {
  sqlite3_close(db_);
}

namespace {

constexpr const char* kRunColumns =
    "at_ms, check_name, passed, latency_ms, status, reason, failure, resolve_us, connect_us, "
    "tls_us, processing_us, transfer_us";

RunRecord runOfRow(const Statement& row) {
  RunRecord run{row.integer(0),
                row.text(1),
                row.integer(2) != 0,
                row.real(3),
                static_cast<int>(row.integer(4)),
                row.text(5),
                row.text(6)};
  for (std::size_t p = 0; p < run.phaseMs.size(); ++p) {
    run.phaseMs[p] = static_cast<float>(row.integer(7 + static_cast<int>(p))) / 1000;
  }
  return run;
}

}  // namespace

std::vector<RunRecord> HistoryReader::runs(const std::string& check, std::int64_t sinceMs,
                                           std::int64_t untilMs, std::size_t limit,
                                           std::string& error) {
  // The newest `limit` rows, turned back into oldest first.
  Statement select(db_, fmt::format("SELECT {} FROM runs WHERE (?1 = '' OR check_name = ?1) AND "
                                    "at_ms >= ?2 AND at_ms < ?3 ORDER BY at_ms DESC, rowid DESC "
                                    "LIMIT ?4",
                                    kRunColumns)
                            .c_str());
  std::vector<RunRecord> out;
  if (!select.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return out;
  }
  select.bind(1, check);
  select.bind(2, sinceMs);
  select.bind(3, untilMs);
  select.bind(4, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    out.push_back(runOfRow(select));
  }
  if (rc != SQLITE_DONE) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void HistoryReader::forEachRun(const std::string& check, std::int64_t sinceMs, std::int64_t untilMs,
                               const std::function<bool(const RunRecord&)>& each,
                               std::string& error) {
  Statement select(db_, fmt::format("SELECT {} FROM runs WHERE check_name = ?1 AND at_ms >= ?2 "
                                    "AND at_ms < ?3 ORDER BY at_ms, rowid",
                                    kRunColumns)
                            .c_str());
  if (!select.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return;
  }
  select.bind(1, check);
  select.bind(2, sinceMs);
  select.bind(3, untilMs);
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    if (!each(runOfRow(select))) {
      return;
    }
  }
  if (rc != SQLITE_DONE) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
  }
}

std::vector<RunCount> HistoryReader::hourlyCounts(const std::string& check, std::int64_t sinceMs,
                                                  std::int64_t untilMs, std::string& error) {
  Statement select(db_,
                   "SELECT hour_ms, runs, passed FROM run_hours WHERE check_name = ? AND "
                   "hour_ms >= ? AND hour_ms <= ? ORDER BY hour_ms");
  std::vector<RunCount> out;
  if (!select.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return out;
  }
  select.bind(1, check);
  select.bind(2, sinceMs - sinceMs % kHourMs);
  select.bind(3, untilMs);
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    out.push_back(RunCount{select.integer(0), static_cast<std::uint32_t>(select.integer(1)),
                           static_cast<std::uint32_t>(select.integer(2))});
  }
  if (rc != SQLITE_DONE) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
  }
  return out;
}

void HistoryReader::forEachHourlyCount(
    std::int64_t sinceMs, const std::function<void(const std::string&, const RunCount&)>& each,
    std::string& error) {
  Statement select(db_,
                   "SELECT check_name, hour_ms, runs, passed FROM run_hours WHERE hour_ms >= ? "
                   "ORDER BY check_name, hour_ms");
  if (!select.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return;
  }
  select.bind(1, sinceMs - sinceMs % kHourMs);
  std::string check;
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    // Names repeat row after row: compare the bytes before copying them.
    const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 0));
    if (name != nullptr && check != name) {
      check = name;
    }
    each(check, RunCount{select.integer(1), static_cast<std::uint32_t>(select.integer(2)),
                         static_cast<std::uint32_t>(select.integer(3))});
  }
  if (rc != SQLITE_DONE) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
  }
}

std::vector<HistoryEvent> HistoryReader::events(const std::vector<std::string>& checks,
                                                std::int64_t sinceMs, std::int64_t untilMs,
                                                std::string& error) {
  Statement select(db_,
                   "SELECT at_ms, type, check_name, action, notifier, outcome, detail, team_id, "
                   "channel_id, channel_name, user_id, user_name FROM events "
                   "WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, rowid");
  std::vector<HistoryEvent> out;
  if (!select.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return out;
  }
  select.bind(1, sinceMs);
  select.bind(2, untilMs);
  const auto wanted = [&](const std::string& key) {
    if (checks.empty()) {
      return true;
    }
    const auto [name, kind] = parseAlertKey(key);  // "api#cert" is api's; a Slack page nobody's
    return kind != AlertKind::SlashCommand &&
           std::find(checks.begin(), checks.end(), name) != checks.end();
  };
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    const auto type = parseTypeName(select.text(1));
    if (!type) {
      continue;  // written by a newer version: not ours to show
    }
    HistoryEvent event;
    event.atMs = select.integer(0);
    event.type = *type;
    event.check = select.text(2);
    if (event.type != HistoryEvent::Type::SlashCommand && !wanted(event.check)) {
      continue;
    }
    event.action = select.text(3);
    event.notifier = select.text(4);
    event.outcome = select.text(5);
    event.detail = select.text(6);
    event.teamId = select.text(7);
    event.channelId = select.text(8);
    event.channelName = select.text(9);
    event.userId = select.text(10);
    event.userName = select.text(11);
    out.push_back(std::move(event));
  }
  if (rc != SQLITE_DONE) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
  }
  return out;
}

std::vector<std::string> HistoryReader::checksWithRuns(std::int64_t sinceMs, std::int64_t untilMs,
                                                       std::string& error) {
  return names(
      "SELECT DISTINCT check_name FROM runs WHERE at_ms >= ? AND at_ms < ? "
      "ORDER BY check_name",
      sinceMs, untilMs, error);
}

std::vector<std::string> HistoryReader::failedChecks(std::int64_t sinceMs, std::int64_t untilMs,
                                                     std::string& error) {
  // The hourly counts name the checks with a failure in an hour the window touches (a few
  // thousand rows, not every run); each is then confirmed on its own runs in the window.
  const std::vector<std::string> candidates = names(
      "SELECT DISTINCT check_name FROM run_hours WHERE hour_ms >= ?1 - ?1 % 3600000 AND "
      "hour_ms < ?2 AND passed < runs ORDER BY check_name",
      sinceMs, untilMs, error);
  std::vector<std::string> failed;
  Statement confirm(db_,
                    "SELECT 1 FROM runs WHERE check_name = ? AND at_ms >= ? AND at_ms < ? AND "
                    "passed = 0 LIMIT 1");
  if (!confirm.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return failed;
  }
  for (const std::string& name : candidates) {
    confirm.reset();
    confirm.bind(1, name);
    confirm.bind(2, sinceMs);
    confirm.bind(3, untilMs);
    if (confirm.step() == SQLITE_ROW) {
      failed.push_back(name);
    }
  }
  return failed;
}

std::vector<std::string> HistoryReader::names(const char* sql, std::int64_t sinceMs,
                                              std::int64_t untilMs, std::string& error) {
  Statement select(db_, sql);
  std::vector<std::string> out;
  if (!select.ok()) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
    return out;
  }
  select.bind(1, sinceMs);
  select.bind(2, untilMs);
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    out.push_back(select.text(0));
  }
  if (rc != SQLITE_DONE) {
    error = fmt::format("history: {}", sqlite3_errmsg(db_));
  }
  return out;
}

HistoryFiles HistoryFiles::open(const std::string& stateDir, std::chrono::milliseconds retention,
                                std::string& error, const Clock& clock) {
  HistoryFiles files;
  files.writer = HistoryWriter::open(stateDir, retention, error, clock);
  if (files.writer) {
    files.reader = HistoryReader::open(stateDir, error);  // once the writer has made the file
  }
  if (!files.reader) {
    files.writer.reset();
  }
  return files;
}

std::string HistoryReader::location(std::string& /*error: a missing table is no location*/) {
  // A history written before locations existed has no meta table: no location.
  return readHistoryMeta(db_, "location").value_or("");
}

std::int64_t HistoryReader::countsFromMs(std::string& /*error: none kept is no trim*/) {
  const auto text = readHistoryMeta(db_, "counts_from_ms");
  try {
    return text ? std::stoll(*text) : 0;
  } catch (const std::exception&) {
    return 0;  // not a number: as if never trimmed (the figures then say their whole window)
  }
}

}  // namespace prober
