#pragma once
// Delivers the outbox: in order per check and notifier (a resolve never overtakes its trigger),
// retrying timeouts, connection errors, 429 and 5xx with exponential backoff and jitter (1 s to
// 5 min) until delivered, other refusals (3xx, 4xx) for an hour, dropping what the receiver
// documents as never accepted (400) loudly, and pacing events per PagerDuty routing key under
// its documented 120 per minute, the queues taking turns. Time comes in through the injected
// clock and timers, so tests drive hours of retries in simulated time.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alerting/notifier_settings.h"
#include "alerting/store.h"
#include "alerting/transport.h"
#include "alerting/write_backlog.h"
#include "checks/check_spec.h"
#include "checks/clock.h"

namespace prober {

// Retry: the receiver could not be reached or asked to come back (timeouts, 5xx, 408, 429),
// retried until delivered. Refused: it (or a proxy before it) answered 3xx or a 4xx that may
// pass once someone fixes it, retried for kGiveUpRefusedAfterMs, then Rejected. Rejected:
// refused for good (PagerDuty's 400). Dropped: its notifier is gone and its settings unknown.
enum class DeliveryResult { Delivered, Retry, Rejected, Dropped, Refused };
std::string_view deliveryResultName(DeliveryResult result);  // "delivered", "retry", ...

class Pager {
 public:
  struct Hooks {
    std::function<double()> random;  // uniform in [0, 1), for jitter
    // Every attempt's outcome, for metrics and history: the row, and the answer ("HTTP 202:
    // ...", "connection refused", or why it was dropped).
    std::function<void(const OutboxRow& row, DeliveryResult, const std::string& answer)> attempted;
    // Records a delivery outcome in the store. The runtime runs it in order with its other
    // state writes, keeping and retrying it when the store refuses (WriteBacklog::submit).
    // Without this hook the pager writes itself and only logs a refusal.
    std::function<void(WriteBacklog::Write write)> storeWrite;
  };

  // `store` may be null (nothing is persisted: tests, or a store that failed to open). Retries
  // are due on the wall clock (they are stored); pacing and how long a receiver has refused
  // are measured on the steady one (the wall clock may jump an hour). The pager wakes itself
  // (a timer from `timers`) when the next row is due.
  Pager(Store* store, Transport& transport, const Clock& clock, const TimerFactory& timers,
        Hooks hooks);
  ~Pager();
  Pager(const Pager&) = delete;
  Pager& operator=(const Pager&) = delete;

  void setNotifiers(Notifiers notifiers, std::string externalUrl);
  // The configured notifier's settings as a row keeps them (OutboxRow::via), "" when none is
  // configured by that name.
  std::string viaOf(const std::string& notifier) const;
  // Where pages with these settings land, as one identity (notifier_json.h's
  // storedDestination); a stored destination is its own; "" when the settings cannot be read.
  std::string destinationOf(const std::string& via) const;
  // Settings as the store keeps them (OutboxRow::via, SavedAlert::pagedVia) made whole again:
  // settings stay as they are; a destination stored alone (by an older version) becomes the
  // settings of the configured notifier that pages there, or stays as it is when none does
  // (its rows cannot be delivered).
  std::string settingsFor(const std::string& via) const;
  // Queues rows (already stored) behind what is queued for their alert and destination: rows
  // are ordered by where they land, not by the notifier's name or its delivery settings, so a
  // resolve queued under a notifier's new name (or new timeout) never overtakes a trigger queued
  // under the old. A row without settings (stored before they were kept) takes its configured
  // notifier's.
  void add(std::vector<OutboxRow> rows);
  // Sends every queue head that is due and within its pacing budget, and arms the wake-up for
  // the next.
  void poll();
  // The wall time (Unix ms) of the next wake-up, -1 when none is armed.
  std::int64_t wakeAtMs() const { return wake_.armedForWallMs(); }
  // Stopping: no wake-up fires any more.
  void stop() { wake_.cancel(); }
  // A row queued unstored (id < 0, see OutboxRow) was stored since as `storedId`: its outcomes
  // are recorded from now on. False when the row is no longer queued.
  bool rekey(std::int64_t unstoredId, std::int64_t storedId);
  // Shards: the triggers waiting for this alert key that no attempt has started (one retrying
  // included) are dropped, marked with `why`; a late trigger from the old owner could land after
  // its new owner's resolve and open an incident nobody resolves. A resolve owed for a trigger
  // the receiver took still goes out; one that only ends a trigger dropped here goes with it.
  void dropTriggers(const std::string& key, const std::string& why);
  std::size_t pending() const;
  // Whether anything waits for this alert key and notifier (sent or not).
  bool queued(const std::string& key, const std::string& notifier) const;
  // How often a firing alert is posted again to this notifier: an Alertmanager's `resend`, a
  // Slack notifier's `renotify` (the check's, 0 when it has none); nullopt for those told once.
  std::optional<Millis> resendInterval(const std::string& notifier, Millis renotify) const;

  // Whether the notifier's re-sends are reminders read by people (Slack's `renotify`), which a
  // hold pauses, rather than an Alertmanager's keep-alive.
  bool remindsPeople(const std::string& notifier) const {
    const auto it = notifiers_.find(notifier);
    return it != notifiers_.end() && it->second.slack() != nullptr;
  }

  // How long answers that refuse (but not for good) are retried before the row is given up.
  static constexpr std::int64_t kGiveUpRefusedAfterMs = 3'600'000;

  // The delay before attempt `attempts` + 1: 1 s doubling to 5 min, +-25 % jitter, clamped.
  static std::int64_t backoffMs(int attempts, double random);

  static constexpr double kPagerDutyEventsPerMinute = 100;  // PagerDuty allows ~120 per key
  static constexpr double kPagerDutyBurst = 10;
  static constexpr double kSlackEventsPerMinute = 60;  // Slack webhooks allow ~1 per second
  static constexpr double kSlackBurst = 3;

 private:
  using QueueKey = std::pair<std::string, std::string>;  // alert key, destination (settings)
  struct Queued {
    std::uint64_t order;  // arrival order across all queues: among equals in turn, oldest first
    OutboxRow row;
  };
  struct Bucket {
    double tokens = 0;
    std::int64_t lastMs = 0;
  };

  QueueKey queueKeyOf(const std::string& key, const std::string& notifier,
                      const std::string& via) const;
  // The settings a row goes out with: those of its own notifier as configured now, when it
  // still pages the row's destination (its timeout, severity, resend as they are now); else
  // those of another notifier configured for that destination (renamed); else, when none pages
  // there any more, the ones it was queued with. nullptr when it has none to read.
  const Notifier* notifierFor(const OutboxRow& row) const;
  // A trigger (or reminder) to a destination no configured notifier pages any more: given up
  // after kGiveUpRefusedAfterMs of failed attempts of any kind, not retried for ever (nobody
  // asked to page there now). A resolve owed there is retried until delivered, like any other.
  bool orphanTrigger(const QueueKey& key, const OutboxRow& row) const {
    return row.event.action == AlertAction::Trigger && nameByDestination_.count(key.second) == 0;
  }
  bool isSlack(const OutboxRow& row) const;
  void pollOnce();
  void send(const QueueKey& key, const Queued& item, const Notifier& notifier);
  void onAnswer(const QueueKey& key, const TransportAnswer& answer);
  // Takes a token from the notifier's pacing bucket (on steady time), or says how long until one
  // will be available.
  bool takeToken(const Notifier& notifier, std::int64_t& waitMs);
  void finish(const QueueKey& key, DeliveryResult result, const std::string& answer);
  // Records a row's outcome through `write` when the row is stored (see Hooks::storeWrite).
  void persist(const OutboxRow& row, std::function<bool(Store&, std::string&)> write);

  Store* store_;
  Transport& transport_;
  const Clock& clock_;
  Hooks hooks_;
  WallTimer wake_;  // poll() again when the next row is due
  Notifiers notifiers_;
  std::map<std::string, std::string> viaByName_;  // each configured notifier's settings
  // Each configured destination (storedDestination) and the notifier that pages there, and the
  // other way round.
  std::map<std::string, std::string> nameByDestination_;
  std::map<std::string, std::string> destinationByName_;
  struct ReadBack {
    Notifier notifier;
    std::string destination;
  };
  mutable std::map<std::string, ReadBack> viaCache_;  // settings read back, by their text
  std::string externalUrl_;
  std::map<QueueKey, std::deque<Queued>> queues_;
  std::set<QueueKey> inFlight_;
  // Alert keys handed to another shard: a trigger of theirs on the wire then is not retried.
  std::set<std::string> handedOff_;
  std::map<std::string, Bucket> buckets_;  // by routing key or webhook URL, in memory only
  std::uint64_t nextOrder_ = 0;
  // When each queue last sent (a count of sends): the least recently served goes first.
  std::map<QueueKey, std::uint64_t> lastServed_;
  std::uint64_t sends_ = 0;
  bool polling_ = false;
  bool pollAgain_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace prober
