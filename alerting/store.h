#pragma once
// Durable alerting state in state_dir (SQLite, WAL): each check's alert state and the outbox of
// notifications. A transition and the notifications it causes are written in one transaction
// before any delivery starts, so a crash neither loses a page nor sends one twice.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerting/alert_event.h"
#include "storage/durability.h"

struct sqlite3;

namespace prober {

struct SavedAlert {
  bool firing = false;
  int consecutiveFailures = 0;
  std::int64_t failingSinceMs = 0;  // a check's alert: the first failure of the streak
  std::int64_t certExpiryMs = 0;    // a certificate alert: when the certificate expires
  std::vector<std::string> notify;  // who was paged: they get the resolve if the check goes away
  // The settings each of them was paged with (notifier_json.h), by name: the resolve goes to
  // the same service even after a reload renamed or removed the notifier. Missing for alerts
  // stored before it was kept: the configured notifier of that name is used.
  std::map<std::string, std::string> pagedVia{};
  // Whether its trigger went out: false while a firing alert's page is held (a maintenance
  // window, a silence, a firing dependency), so a restart still sends it when the hold ends.
  bool paged = true;
};

struct OutboxRow {
  // The stored row's id; 0 or below: not stored (the store refused the write), delivered from
  // memory (below 0: a write is pending that will store it, see Pager::rekey).
  std::int64_t id = 0;
  std::string check;
  std::string notifier;
  AlertEvent event;  // event.at orders pruning
  int attempts = 0;
  std::int64_t nextAttemptMs = 0;
  // A firing alert posted again to an Alertmanager (its `resend`): never stored, not recorded
  // in the history; losing one costs nothing, the next follows.
  bool resend = false;
  // Since when (on a clock that never steps) the receiver has refused it, in a row of refusals
  // (3xx, or a 4xx not known to be final); unset when it has not. In memory only: a restart
  // gives it another hour.
  std::optional<std::int64_t> refusingSinceMs{};
  // The notifier's settings when it was queued (notifier_json.h): it is delivered with them
  // whatever a reload or restart renamed or removed since. "": the configured notifier named
  // `notifier`.
  std::string via{};
};

class Store {
 public:
  // Opens (creating) DIR/prober.db. Returns nullptr with `error` set when it cannot. Every
  // commit is synced (Durability::Durable); the benchmark opens it Fast to show what that costs.
  static std::unique_ptr<Store> open(const std::string& dir, std::string& error,
                                     Durability durability = Durability::Durable);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Whether every commit is synced to the disk (PRAGMA synchronous=FULL): what a power loss
  // may not take. Asked by tests.
  bool syncsEveryCommit();

  std::map<std::string, SavedAlert> loadAlerts(std::string& error);
  // Pending notifications, oldest first.
  std::vector<OutboxRow> loadPending(std::string& error);

  // One transaction: the check's new alert state (nullopt deletes it) and its notifications,
  // whose ids are filled in. False (nothing written) with `error` when it fails.
  bool recordTransition(const std::string& check, const std::optional<SavedAlert>& state,
                        std::vector<OutboxRow>& rows, std::string& error);

  bool markDelivered(std::int64_t id, std::int64_t nowMs, std::string& error);
  bool markRejected(std::int64_t id, const std::string& why, std::string& error);
  bool markRetry(std::int64_t id, int attempts, std::int64_t nextAttemptMs, const std::string& why,
                 std::string& error);
  std::int64_t pendingCount(std::string& error);
  // Deletes delivered and rejected notifications queued before `beforeMs`; returns how many.
  std::int64_t pruneFinished(std::int64_t beforeMs, std::string& error);

  // Silences, each stored as its JSON text with its end: the new id (0 with `error` set when
  // it fails); the ones not yet ended at `nowMs` (ended ones are deleted), oldest first.
  std::int64_t addSilence(const std::string& silence, std::int64_t endsAtMs, std::string& error);
  bool removeSilence(std::int64_t id, std::string& error);
  std::vector<std::pair<std::int64_t, std::string>> loadSilences(std::int64_t nowMs,
                                                                 std::string& error);

  // Small facts about the instance kept across restarts. The shard it last applied its checks
  // as ("" unsharded; nullopt before the first start that kept one).
  std::optional<std::string> appliedShard(std::string& error);
  bool setAppliedShard(const std::string& shard, std::string& error);
  // Checks adopted from another shard whose one resolve is still owed.
  std::set<std::string> adoptedChecks(std::string& error);
  bool setAdoptedChecks(const std::set<std::string>& names, std::string& error);
  // The status page's notice set from Slack, as its JSON text ("" or nullopt: none).
  std::optional<std::string> statusNotice(std::string& error);
  bool setStatusNotice(const std::string& json, std::string& error);

 private:
  std::optional<std::string> meta(const std::string& key, std::string& error);
  bool setMeta(const std::string& key, const std::string& value, std::string& error);
  explicit Store(sqlite3* db) : db_(db) {}
  bool exec(const char* sql, std::string& error);
  sqlite3* db_;
};

}  // namespace prober
