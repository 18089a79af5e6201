#pragma once
// Delivers the outbox: in order per check and notifier (a resolve never overtakes its trigger),
// retrying timeouts, connection errors, 429 and 5xx with exponential backoff and jitter (1 s to
// 5 min), dropping what can never succeed (400) loudly, and pacing events per PagerDuty routing
// key under its documented 120 per minute. It reads no clock and arms no timer: the runtime
// passes time in through hooks and calls poll() when asked to wake.
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

namespace prober {

enum class DeliveryResult { Delivered, Retry, Rejected, Dropped };
std::string_view deliveryResultName(DeliveryResult result);  // "delivered", "retry", ...

class Pager {
 public:
  struct Hooks {
    std::function<std::int64_t()> nowMs;            // wall clock, milliseconds
    std::function<double()> random;                 // uniform in [0, 1), for jitter
    std::function<void(std::int64_t atMs)> wakeAt;  // call poll() again at this time
    // Every attempt's outcome, for metrics and history: the row, and the answer ("HTTP 202:
    // ...", "connection refused", or why it was dropped).
    std::function<void(const OutboxRow& row, DeliveryResult, const std::string& answer)> attempted;
    // Records a delivery outcome in the store. The runtime runs it in order with its other
    // state writes, keeping and retrying it when the store refuses (WriteBacklog::submit).
    // Without this hook the pager writes itself and only logs a refusal.
    std::function<void(WriteBacklog::Write write)> storeWrite;
  };

  // `store` may be null (nothing is persisted: tests, or a store that failed to open).
  Pager(Store* store, Transport& transport, Hooks hooks);
  ~Pager();
  Pager(const Pager&) = delete;
  Pager& operator=(const Pager&) = delete;

  void setNotifiers(Notifiers notifiers, std::string externalUrl);
  // Queues rows (already stored) behind what is queued for their check and notifier.
  void add(std::vector<OutboxRow> rows);
  // Sends every queue head that is due and within its pacing budget.
  void poll();
  // A row queued unstored (id < 0, see OutboxRow) was stored since as `storedId`: its outcomes
  // are recorded from now on. False when the row is no longer queued.
  bool rekey(std::int64_t unstoredId, std::int64_t storedId);
  std::size_t pending() const;
  // Whether anything waits for this alert key and notifier (sent or not).
  bool queued(const std::string& key, const std::string& notifier) const;
  // How often a firing alert is posted again to this notifier: an Alertmanager's `resend`, a
  // Slack notifier's `renotify` (the check's, 0 when it has none); nullopt for those told once.
  std::optional<Millis> resendInterval(const std::string& notifier, Millis renotify) const;

  // The delay before attempt `attempts` + 1: 1 s doubling to 5 min, +-25 % jitter, clamped.
  static std::int64_t backoffMs(int attempts, double random);

  static constexpr double kPagerDutyEventsPerMinute = 100;  // PagerDuty allows ~120 per key
  static constexpr double kPagerDutyBurst = 10;
  static constexpr double kSlackEventsPerMinute = 60;  // Slack webhooks allow ~1 per second
  static constexpr double kSlackBurst = 3;

 private:
  using QueueKey = std::pair<std::string, std::string>;  // check, notifier
  struct Queued {
    std::uint64_t order;  // arrival order across all queues: oldest heads go first
    OutboxRow row;
  };
  struct Bucket {
    double tokens = 0;
    std::int64_t lastMs = 0;
  };

  void pollOnce();
  void send(const QueueKey& key, const Queued& item, const Notifier& notifier);
  void onAnswer(const QueueKey& key, const TransportAnswer& answer);
  // Takes a token from the notifier's pacing bucket, or returns when one will be available.
  bool takeToken(const Notifier& notifier, std::int64_t now, std::int64_t& availableAt);
  void finish(const QueueKey& key, DeliveryResult result, const std::string& answer);
  // Records a row's outcome through `write` when the row is stored (see Hooks::storeWrite).
  void persist(const OutboxRow& row, std::function<bool(Store&, std::string&)> write);

  Store* store_;
  Transport& transport_;
  Hooks hooks_;
  Notifiers notifiers_;
  std::string externalUrl_;
  std::map<QueueKey, std::deque<Queued>> queues_;
  std::set<QueueKey> inFlight_;
  std::map<std::string, Bucket> buckets_;  // by routing key or webhook URL, in memory only
  std::uint64_t nextOrder_ = 0;
  bool polling_ = false;
  bool pollAgain_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace prober
