#include "alerting/store.h"

#include <sqlite3.h>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <filesystem>
#include <variant>

#include "checks/json_text.h"
#include "storage/sqlite_statement.h"

namespace prober {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS alert_state (
  check_name TEXT PRIMARY KEY,
  firing INTEGER NOT NULL,
  consecutive_failures INTEGER NOT NULL,
  failing_since_ms INTEGER NOT NULL,
  notify TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  check_name TEXT NOT NULL,
  notifier TEXT NOT NULL,
  action TEXT NOT NULL,
  event TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_ms INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(state, id);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS silences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ends_at_ms INTEGER NOT NULL,
  silence TEXT NOT NULL
);
)";

// Columns added since the first schema, each with the value rows written before it mean.
constexpr const char* kAddedColumns[] = {
    "ALTER TABLE alert_state ADD COLUMN paged INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE alert_state ADD COLUMN paged_via TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE outbox ADD COLUMN via TEXT NOT NULL DEFAULT ''",
};

std::string message(sqlite3* db, std::string_view what) {
  return fmt::format("state store: {}: {}", what, sqlite3_errmsg(db));
}

}  // namespace

std::unique_ptr<Store> Store::open(const std::string& dir, std::string& error,
                                   Durability durability) {
  // Every commit synced: a power loss must not drop a transition or a queued page.
  sqlite3* db = openStateDatabase(dir, "prober.db", kSchema, durability, error);
  if (db == nullptr) {
    return nullptr;
  }
  for (const char* sql : kAddedColumns) {
    std::string ignored;  // "duplicate column name": added by an earlier start
    execSql(db, sql, ignored);
  }
  return std::unique_ptr<Store>(new Store(db));
}

Store::~Store() {
  sqlite3_close(db_);
}

bool Store::exec(const char* sql, std::string& error) {
  return execSql(db_, sql, error);
}

bool Store::syncsEveryCommit() {
  Statement query(db_, "PRAGMA synchronous");
  return query.ok() && query.step() == SQLITE_ROW && query.integer(0) >= 2;  // 2: FULL
}

std::map<std::string, SavedAlert> Store::loadAlerts(std::string& error) {
  std::map<std::string, SavedAlert> out;
  Statement query(
      db_,
      "SELECT check_name, firing, consecutive_failures, failing_since_ms, notify, paged, paged_via "
      "FROM alert_state");
  if (!query.ok()) {
    error = message(db_, "reading alert state");
    return out;
  }
  while (query.step() == SQLITE_ROW) {
    SavedAlert alert;
    alert.firing = query.integer(1) != 0;
    alert.consecutiveFailures = static_cast<int>(query.integer(2));
    // The column dates the alert: a streak's start, or for a certificate alert its expiry (one
    // column, so state directories written before keep loading).
    const bool certificate = parseAlertKey(query.text(0)).second == AlertKind::Certificate;
    (certificate ? alert.certExpiryMs : alert.failingSinceMs) = query.integer(3);
    boost::system::error_code ec;
    const auto notify = boost::json::parse(query.text(4), ec);
    if (!ec && notify.is_array()) {
      for (const auto& name : notify.get_array()) {
        if (name.is_string()) {
          alert.notify.emplace_back(name.get_string());
        }
      }
    }
    alert.paged = query.integer(5) != 0;
    boost::system::error_code viaError;
    const auto via = boost::json::parse(query.text(6), viaError);
    if (!viaError && via.is_object()) {
      for (const auto& [name, settings] : via.get_object()) {
        if (settings.is_string()) {
          alert.pagedVia.emplace(std::string(name), std::string(settings.get_string()));
        }
      }
    }
    out[query.text(0)] = alert;
  }
  return out;
}

std::vector<OutboxRow> Store::loadPending(std::string& error) {
  std::vector<OutboxRow> out;
  Statement query(db_,
                  "SELECT id, check_name, notifier, event, attempts, next_attempt_ms, via FROM "
                  "outbox WHERE state = 'pending' ORDER BY id");
  if (!query.ok()) {
    error = message(db_, "reading the outbox");
    return out;
  }
  while (query.step() == SQLITE_ROW) {
    OutboxRow row;
    row.id = query.integer(0);
    row.check = query.text(1);
    row.notifier = query.text(2);
    boost::system::error_code ec;
    auto json = boost::json::parse(query.text(3), ec);
    auto event = ec ? std::nullopt : alertEventFromJson(json);
    if (!event) {
      error = fmt::format("state store: outbox row {} is damaged; skipped", row.id);
      continue;
    }
    row.event = std::move(*event);
    row.attempts = static_cast<int>(query.integer(4));
    row.nextAttemptMs = query.integer(5);
    row.via = query.text(6);
    out.push_back(std::move(row));
  }
  return out;
}

bool Store::recordTransition(const std::string& check, const std::optional<SavedAlert>& state,
                             std::vector<OutboxRow>& rows, std::string& error) {
  if (!exec("BEGIN IMMEDIATE", error)) {
    error = "state store: begin: " + error;
    return false;
  }
  const auto fail = [&](std::string_view what) {
    error = message(db_, what);
    std::string ignored;
    exec("ROLLBACK", ignored);
    for (auto& row : rows) {
      row.id = 0;
    }
    return false;
  };
  if (state) {
    Statement upsert(
        db_,
        "INSERT INTO alert_state(check_name, firing, consecutive_failures, failing_since_ms, "
        "notify, paged, paged_via) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(check_name) DO "
        "UPDATE SET firing = ?2, consecutive_failures = ?3, failing_since_ms = ?4, notify = ?5, "
        "paged = ?6, paged_via = ?7");
    upsert.bind(1, check);
    upsert.bind(2, std::int64_t{state->firing ? 1 : 0});
    upsert.bind(3, std::int64_t{state->consecutiveFailures});
    const bool certificate = parseAlertKey(check).second == AlertKind::Certificate;
    upsert.bind(4, certificate ? state->certExpiryMs : state->failingSinceMs);
    boost::json::array notify;
    for (const auto& name : state->notify) {
      notify.emplace_back(name);
    }
    upsert.bind(5, toJsonText(notify));
    upsert.bind(6, std::int64_t{state->paged ? 1 : 0});
    boost::json::object via;
    for (const auto& [name, settings] : state->pagedVia) {
      via[name] = settings;
    }
    upsert.bind(7, toJsonText(via));
    if (!upsert.ok() || upsert.step() != SQLITE_DONE) {
      return fail("saving alert state");
    }
  } else {
    Statement remove(db_, "DELETE FROM alert_state WHERE check_name = ?1");
    remove.bind(1, check);
    if (!remove.ok() || remove.step() != SQLITE_DONE) {
      return fail("removing alert state");
    }
  }
  for (auto& row : rows) {
    Statement insert(db_,
                     "INSERT INTO outbox(check_name, notifier, action, event, next_attempt_ms, "
                     "created_ms, via) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, row.check);
    insert.bind(2, row.notifier);
    insert.bind(3, std::string(actionName(row.event.action)));
    insert.bind(4, toJsonText(toJson(row.event)));
    insert.bind(5, row.nextAttemptMs);
    insert.bind(6, toMillis(row.event.at));
    insert.bind(7, row.via);
    if (!insert.ok() || insert.step() != SQLITE_DONE) {
      return fail("queueing a notification");
    }
    row.id = sqlite3_last_insert_rowid(db_);
  }
  if (!exec("COMMIT", error)) {
    return fail("commit");
  }
  return true;
}

namespace {

using Binding = std::variant<std::int64_t, std::string>;

// Runs one statement that returns no rows, binding ?1, ?2, ... in order.
bool runStatement(sqlite3* db, const char* sql, std::initializer_list<Binding> bindings,
                  std::string_view what, std::string& error) {
  Statement statement(db, sql);
  int index = 1;
  for (const Binding& binding : bindings) {
    std::visit([&](const auto& value) { statement.bind(index, value); }, binding);
    ++index;
  }
  if (!statement.ok() || statement.step() != SQLITE_DONE) {
    error = message(db, what);
    return false;
  }
  return true;
}

}  // namespace

bool Store::markDelivered(std::int64_t id, std::int64_t nowMs, std::string& error) {
  return runStatement(db_, "UPDATE outbox SET state = 'delivered', delivered_ms = ?2 WHERE id = ?1",
                      {id, nowMs}, "marking a notification delivered", error);
}

bool Store::markRejected(std::int64_t id, const std::string& why, std::string& error) {
  return runStatement(db_, "UPDATE outbox SET state = 'rejected', last_error = ?2 WHERE id = ?1",
                      {id, why}, "marking a notification rejected", error);
}

bool Store::markRetry(std::int64_t id, int attempts, std::int64_t nextAttemptMs,
                      const std::string& why, std::string& error) {
  return runStatement(
      db_, "UPDATE outbox SET attempts = ?2, next_attempt_ms = ?3, last_error = ?4 WHERE id = ?1",
      {id, std::int64_t{attempts}, nextAttemptMs, why}, "scheduling a retry", error);
}

std::int64_t Store::pendingCount(std::string& error) {
  Statement query(db_, "SELECT count(*) FROM outbox WHERE state = 'pending'");
  if (!query.ok() || query.step() != SQLITE_ROW) {
    error = message(db_, "counting the outbox");
    return 0;
  }
  return query.integer(0);
}

}  // namespace prober

namespace prober {

std::int64_t Store::pruneFinished(std::int64_t beforeMs, std::string& error) {
  Statement remove(db_, "DELETE FROM outbox WHERE state != 'pending' AND created_ms < ?1");
  remove.bind(1, beforeMs);
  if (!remove.ok() || remove.step() != SQLITE_DONE) {
    error = message(db_, "pruning the outbox");
    return 0;
  }
  return sqlite3_changes(db_);
}

}  // namespace prober

namespace prober {

std::int64_t Store::addSilence(const std::string& silence, std::int64_t endsAtMs,
                               std::string& error) {
  if (!runStatement(db_, "INSERT INTO silences(ends_at_ms, silence) VALUES(?1, ?2)",
                    {endsAtMs, silence}, "saving a silence", error)) {
    return 0;
  }
  return sqlite3_last_insert_rowid(db_);
}

bool Store::removeSilence(std::int64_t id, std::string& error) {
  return runStatement(db_, "DELETE FROM silences WHERE id = ?1", {id}, "deleting a silence", error);
}

std::vector<std::pair<std::int64_t, std::string>> Store::loadSilences(std::int64_t nowMs,
                                                                      std::string& error) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  // A disk that refuses the pruning (full) must not cost the silences still running: said, and
  // read all the same (an expired one holds nothing; the next start prunes it).
  runStatement(db_, "DELETE FROM silences WHERE ends_at_ms <= ?1", {nowMs},
               "pruning expired silences", error);
  Statement query(db_, "SELECT id, silence FROM silences ORDER BY id");
  if (!query.ok()) {
    error = message(db_, "reading silences");
    return out;
  }
  while (query.step() == SQLITE_ROW) {
    out.emplace_back(query.integer(0), query.text(1));
  }
  return out;
}

}  // namespace prober

namespace prober {

std::optional<std::string> Store::meta(const std::string& key, std::string& error) {
  Statement query(db_, "SELECT value FROM meta WHERE key = ?1");
  query.bind(1, key);
  if (!query.ok()) {
    error = message(db_, "reading " + key);
    return std::nullopt;
  }
  if (query.step() != SQLITE_ROW) {
    return std::nullopt;
  }
  return query.text(0);
}

bool Store::setMeta(const std::string& key, const std::string& value, std::string& error) {
  return runStatement(db_,
                      "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE "
                      "SET value = ?2",
                      {key, value}, "saving " + key, error);
}

std::optional<std::string> Store::appliedShard(std::string& error) {
  return meta("shard", error);
}

bool Store::setAppliedShard(const std::string& shard, std::string& error) {
  return setMeta("shard", shard, error);
}

std::set<std::string> Store::adoptedChecks(std::string& error) {
  std::set<std::string> names;
  const auto text = meta("adopted", error);
  if (!text) {
    return names;
  }
  boost::system::error_code ec;
  const auto json = boost::json::parse(*text, ec);
  if (ec || !json.is_array()) {
    error = "the adopted checks kept in the state store are damaged: " + *text;
    return names;
  }
  for (const auto& name : json.get_array()) {
    if (name.is_string()) {
      names.emplace(name.get_string());
    }
  }
  return names;
}

bool Store::setAdoptedChecks(const std::set<std::string>& names, std::string& error) {
  boost::json::array json;
  for (const std::string& name : names) {
    json.emplace_back(name);
  }
  return setMeta("adopted", boost::json::serialize(json), error);
}

std::optional<std::string> Store::statusNotice(std::string& error) {
  return meta("announcement", error);
}

bool Store::setStatusNotice(const std::string& json, std::string& error) {
  return setMeta("announcement", json, error);
}

}  // namespace prober
