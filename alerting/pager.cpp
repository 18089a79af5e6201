#include "alerting/pager.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "alerting/delivery_answer.h"
#include "alerting/notifier_json.h"
#include "alerting/notifiers/alertmanager.h"
#include "alerting/notifiers/pagerduty.h"
#include "alerting/notifiers/slack.h"
#include "checks/redaction.h"

namespace prober {

namespace {

constexpr std::int64_t kMinBackoffMs = 1'000;
constexpr std::int64_t kMaxBackoffMs = 300'000;

}  // namespace

std::string_view deliveryResultName(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::Delivered: return "delivered";
    case DeliveryResult::Retry: return "retry";
    case DeliveryResult::Rejected: return "rejected";
    case DeliveryResult::Dropped: return "dropped";
    case DeliveryResult::Refused: return "refused";
  }
  return "unknown";
}

Pager::Pager(Store* store, Transport& transport, const Clock& clock, const TimerFactory& timers,
             Hooks hooks)
    : store_(store),
      transport_(transport),
      clock_(clock),
      hooks_(std::move(hooks)),
      wake_(clock, timers()) {}

Pager::~Pager() {
  *alive_ = false;
}

void Pager::setNotifiers(Notifiers notifiers, std::string externalUrl) {
  notifiers_ = std::move(notifiers);
  externalUrl_ = std::move(externalUrl);
  viaByName_.clear();
  nameByDestination_.clear();
  destinationByName_.clear();
  for (const auto& [name, notifier] : notifiers_) {
    viaByName_.emplace(name, notifierJson(notifier));
    nameByDestination_.emplace(storedDestination(notifier), name);
    destinationByName_.emplace(name, storedDestination(notifier));
  }
}

std::string Pager::viaOf(const std::string& notifier) const {
  const auto it = viaByName_.find(notifier);
  return it == viaByName_.end() ? std::string() : it->second;
}

std::string Pager::destinationOf(const std::string& via) const {
  if (via.rfind(kStoredDestinationPrefix, 0) == 0) {
    return via;
  }
  OutboxRow probe;
  probe.via = via;
  const Notifier* notifier = notifierFor(probe);
  return notifier == nullptr ? std::string() : storedDestination(*notifier);
}

std::string Pager::settingsFor(const std::string& via) const {
  if (via.rfind(kStoredDestinationPrefix, 0) != 0) {
    return via;
  }
  for (const auto& [name, notifier] : notifiers_) {
    if (storedDestination(notifier) == via) {
      return viaOf(name);
    }
  }
  return via;
}

Pager::QueueKey Pager::queueKeyOf(const std::string& key, const std::string& notifier,
                                  const std::string& via) const {
  const std::string settings = via.empty() ? viaOf(notifier) : via;
  if (std::string destination = destinationOf(settings); !destination.empty()) {
    return {key, std::move(destination)};
  }
  return {key, "unknown notifier " + notifier};  // dropped when it reaches the head
}

void Pager::add(std::vector<OutboxRow> rows) {
  for (auto& row : rows) {
    handedOff_.erase(row.check);  // paged here again: its answers count again
    if (row.via.empty()) {
      row.via = viaOf(row.notifier);  // a row stored before destinations were kept with it
    }
    row.via = settingsFor(row.via);  // a stored row: the notifier that pages there now
    QueueKey key = queueKeyOf(row.check, row.notifier, row.via);
    // A queue new or refilled takes its turn after those served so far: round robin, so a
    // stream of new pages cannot hold back a backlog (one resolve behind its delivered trigger)
    // for ever, and an outage of many checks still goes out in the order it happened.
    lastServed_.try_emplace(key, sends_);
    queues_[key].push_back(Queued{nextOrder_++, std::move(row)});
  }
}

bool Pager::isSlack(const OutboxRow& row) const {
  const Notifier* notifier = notifierFor(row);
  return notifier != nullptr && notifier->slack() != nullptr;
}

const Notifier* Pager::notifierFor(const OutboxRow& row) const {
  if (row.via.empty()) {
    return nullptr;
  }
  auto cached = viaCache_.find(row.via);
  if (cached == viaCache_.end()) {
    auto parsed = notifierFromJson(row.via, row.notifier);
    if (!parsed) {
      return nullptr;
    }
    std::string destination = storedDestination(*parsed);
    cached = viaCache_.emplace(row.via, ReadBack{std::move(*parsed), std::move(destination)}).first;
  }
  // Two notifiers may share a destination with different severities: the row's own comes first.
  if (const auto own = destinationByName_.find(row.notifier);
      own != destinationByName_.end() && own->second == cached->second.destination) {
    return &notifiers_.at(row.notifier);
  }
  if (const auto configured = nameByDestination_.find(cached->second.destination);
      configured != nameByDestination_.end()) {
    return &notifiers_.at(configured->second);
  }
  return &cached->second.notifier;
}

void Pager::dropTriggers(const std::string& key, const std::string& why) {
  handedOff_.insert(key);
  for (auto& [queueKey, queue] : queues_) {
    if (queueKey.first != key) {
      continue;
    }
    // The head is on the wire while its queue is in flight: its answer finishes it.
    const std::size_t first = inFlight_.count(queueKey) != 0 ? 1 : 0;
    bool afterUnsentTrigger = false;
    for (std::size_t i = first; i < queue.size();) {
      const OutboxRow& queued = queue[i].row;
      const bool trigger = queued.event.action == AlertAction::Trigger;
      // A resolve owed for a trigger the receiver may have taken goes out; one that only ends a
      // trigger never posted would tell the receiver of an incident it never heard of. Never
      // posted: no attempt made, and not the head (after a restart the head may have been on
      // the wire when the daemon stopped); a reminder or re-send never opened anything.
      if (!trigger && !afterUnsentTrigger) {
        ++i;
        continue;
      }
      afterUnsentTrigger = trigger && !queued.resend && queued.attempts == 0 && i > 0;
      const OutboxRow row = queue[i].row;
      queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(i));
      spdlog::info("dropped the queued {} for check {} to notifier {}: {}",
                   actionName(row.event.action), row.check, row.notifier, why);
      persist(row, [id = row.id, why](Store& store, std::string& error) {
        return store.markRejected(id, why, error);
      });
      if (hooks_.attempted) {
        hooks_.attempted(row, DeliveryResult::Dropped, why);
      }
    }
  }
}

std::size_t Pager::pending() const {
  std::size_t count = 0;
  for (const auto& [key, queue] : queues_) {
    count += queue.size();
  }
  return count;
}

bool Pager::queued(const std::string& key, const std::string& notifier) const {
  const auto queue = queues_.find(queueKeyOf(key, notifier, ""));
  return queue != queues_.end() && !queue->second.empty();
}

std::optional<Millis> Pager::resendInterval(const std::string& notifier, Millis renotify) const {
  const auto it = notifiers_.find(notifier);
  if (it == notifiers_.end()) {
    return std::nullopt;
  }
  if (const auto* alertmanager = it->second.alertmanager()) {
    return alertmanager->resend;
  }
  if (it->second.slack() != nullptr && renotify.count() > 0) {
    return renotify;
  }
  return std::nullopt;
}

std::int64_t Pager::backoffMs(int attempts, double random) {
  const int doublings = std::clamp(attempts - 1, 0, 20);
  const double base = std::min<double>(kMaxBackoffMs, kMinBackoffMs * std::pow(2.0, doublings));
  const double jittered = base * (0.75 + 0.5 * std::clamp(random, 0.0, 1.0));
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(jittered), kMinBackoffMs,
                                  kMaxBackoffMs);
}

bool Pager::takeToken(const Notifier& notifier, std::int64_t& waitMs) {
  if (notifier.alertmanager() != nullptr) {
    return true;  // Alertmanager takes thousands of alerts a second and documents no limit
  }
  // PagerDuty's limit is per routing key, Slack's per webhook, whoever shares them.
  const PagerDutySettings* pagerDuty = notifier.pagerDuty();
  const std::string pacingKey = pagerDuty != nullptr ? "pagerduty:" + pagerDuty->routingKey
                                                     : "slack:" + notifier.slack()->webhookUrl;
  const double perMs = (pagerDuty ? kPagerDutyEventsPerMinute : kSlackEventsPerMinute) / 60'000.0;
  const double burst = pagerDuty ? kPagerDutyBurst : kSlackBurst;
  // Steady time: a wall clock stepped back would stop every page until it caught up.
  const std::int64_t now = steadyMs(clock_);
  auto [it, created] = buckets_.try_emplace(pacingKey, Bucket{burst, now});
  Bucket& bucket = it->second;
  bucket.tokens = std::min(burst, bucket.tokens + static_cast<double>(now - bucket.lastMs) * perMs);
  bucket.lastMs = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return true;
  }
  waitMs = static_cast<std::int64_t>(std::ceil((1.0 - bucket.tokens) / perMs));
  return false;
}

void Pager::poll() {
  // A transport that answers at once would re-enter poll() from send(); run again instead.
  if (polling_) {
    pollAgain_ = true;
    return;
  }
  polling_ = true;
  do {
    pollAgain_ = false;
    pollOnce();
  } while (pollAgain_);
  polling_ = false;
}

void Pager::pollOnce() {
  const std::int64_t now = wallMs(clock_);
  std::int64_t wake = -1;
  const auto wakeNoLaterThan = [&](std::int64_t at) { wake = wake < 0 ? at : std::min(wake, at); };

  // Queues served least recently first, then oldest heads: pacing serves an outage of many
  // checks in the order it happened, and a check that flapped through a receiver's outage (a
  // backlog of a hundred triggers and resolves) takes its turn with the others instead of
  // holding a new page back until its backlog is out.
  std::vector<std::tuple<std::uint64_t, std::uint64_t, QueueKey>> heads;
  for (auto& [key, queue] : queues_) {
    if (!queue.empty() && inFlight_.count(key) == 0) {
      const auto served = lastServed_.find(key);
      heads.emplace_back(served == lastServed_.end() ? 0 : served->second, queue.front().order,
                         key);
    }
  }
  std::sort(heads.begin(), heads.end());
  for (const auto& [served, order, key] : heads) {
    auto& queue = queues_[key];
    while (!queue.empty()) {
      const Queued& head = queue.front();
      if (notifierFor(head.row) != nullptr) {
        break;
      }
      // A row stored by a version that kept only a hash of its destination, which no
      // configured notifier pages any more: it cannot be sent there.
      spdlog::error(
          "no configured notifier pages where notifier {} paged before the restart: dropped the "
          "{} for check {}",
          head.row.notifier, actionName(head.row.event.action), head.row.check);
      persist(head.row, [id = head.row.id](Store& store, std::string& error) {
        return store.markRejected(id, "notifier no longer configured", error);
      });
      finish(key, DeliveryResult::Dropped, "notifier no longer configured");
    }
    if (queue.empty()) {
      continue;
    }
    const Queued& head = queue.front();
    // A retry is due on the wall clock (it is stored, and a restart keeps it). One due further
    // ahead than any backoff waits means the clock stepped back since: due now, not hours on.
    if (head.row.nextAttemptMs > now && head.row.nextAttemptMs - now <= kMaxBackoffMs) {
      wakeNoLaterThan(head.row.nextAttemptMs);
      continue;
    }
    const Notifier& notifier = *notifierFor(head.row);
    std::int64_t waitMs = 0;
    if (!takeToken(notifier, waitMs)) {
      wakeNoLaterThan(now + waitMs);
      continue;
    }
    send(key, head, notifier);
  }
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (it->second.empty() && inFlight_.count(it->first) == 0) {
      lastServed_.erase(it->first);
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
  if (wake >= 0) {
    wake_.armAtWall(wake, [this] { poll(); });
  }
}

void Pager::send(const QueueKey& key, const Queued& item, const Notifier& notifier) {
  inFlight_.insert(key);
  lastServed_[key] = ++sends_;
  auto answered = [this, alive = alive_, key](TransportAnswer answer) {
    if (*alive) {
      onAnswer(key, answer);
    }
  };
  if (const AlertmanagerSettings* alertmanager = notifier.alertmanager()) {
    OutgoingRequest request;
    request.timeout = notifier.timeout;
    request.body = alertmanagerAlerts(item.row.event, alertmanager->severity, alertmanager->resend,
                                      externalUrl_, fromMillis(wallMs(clock_)));
    postToEveryMember(transport_, request, alertmanager->urls, std::move(answered));
    return;
  }
  OutgoingRequest request;
  request.timeout = notifier.timeout;
  if (const PagerDutySettings* pagerDuty = notifier.pagerDuty()) {
    request.url = pagerDuty->eventsUrl;
    request.body =
        pagerDutyEvent(item.row.event, pagerDuty->routingKey, pagerDuty->severity, externalUrl_);
  } else {
    request.url = notifier.slack()->webhookUrl;
    request.body = slackMessage(item.row.event, externalUrl_, item.row.resend);
  }
  transport_.post(request, std::move(answered));
}

void Pager::onAnswer(const QueueKey& key, const TransportAnswer& answer) {
  inFlight_.erase(key);
  auto queue = queues_.find(key);
  if (queue == queues_.end() || queue->second.empty()) {
    return;
  }
  OutboxRow& row = queue->second.front().row;
  const std::string what = fmt::format("{} for check {} to notifier {}",
                                       actionName(row.event.action), row.check, row.notifier);
  if (isSuccess(answer.status)) {
    spdlog::info("delivered the {}", what);
    persist(row, [id = row.id, at = wallMs(clock_)](Store& store, std::string& error) {
      return store.markDelivered(id, at, error);
    });
    finish(key, DeliveryResult::Delivered, describeAnswer(answer));
  } else if (refusedForGood(answer, isSlack(row))) {
    spdlog::error("the {} was refused and will not be retried: {}", what, describeAnswer(answer));
    persist(row, [id = row.id, why = describeAnswer(answer)](Store& store, std::string& error) {
      return store.markRejected(id, why, error);
    });
    finish(key, DeliveryResult::Rejected, describeAnswer(answer));
  } else if (row.event.action == AlertAction::Trigger && handedOff_.count(row.check) != 0) {
    // Handed to another shard while on the wire: retried, it could land after the new owner's
    // resolve and open an incident nobody resolves.
    const std::string why = "the check left this shard: its new owner pages it";
    spdlog::info("dropped the {} after a failed attempt: {}", what, why);
    persist(row, [id = row.id, why](Store& store, std::string& error) {
      return store.markRejected(id, why, error);
    });
    finish(key, DeliveryResult::Dropped, why);
  } else if ((isRefusal(answer.status) || orphanTrigger(key, row)) && row.refusingSinceMs &&
             steadyMs(clock_) - *row.refusingSinceMs >= kGiveUpRefusedAfterMs) {
    const std::string why =
        isRefusal(answer.status)
            ? fmt::format("refused for {} minutes, the last time: {}",
                          kGiveUpRefusedAfterMs / 60'000, describeAnswer(answer))
            : fmt::format(
                  "no configured notifier pages there any more, and it failed for {} "
                  "minutes, the last time: {}",
                  kGiveUpRefusedAfterMs / 60'000, describeAnswer(answer));
    spdlog::error("gave up on the {}: {}", what, why);
    persist(row, [id = row.id, why](Store& store, std::string& error) {
      return store.markRejected(id, why, error);
    });
    finish(key, DeliveryResult::Rejected, why);
  } else {
    const bool refusal = isRefusal(answer.status);
    // A trigger to a destination no notifier pages any more may never get through: its
    // failures of any kind count towards giving it up. A resolve is never given up so.
    const bool countsToGiveUp = refusal || orphanTrigger(key, row);
    row.attempts += 1;
    const std::int64_t delay = backoffMs(row.attempts, hooks_.random());
    row.nextAttemptMs = wallMs(clock_) + delay;
    // A receiver down, not refusing, starts the count again.
    if (!countsToGiveUp) {
      row.refusingSinceMs.reset();
    } else if (!row.refusingSinceMs) {
      row.refusingSinceMs = steadyMs(clock_);
    }
    spdlog::warn("could not deliver the {} (attempt {}): {}; retrying in {}ms", what, row.attempts,
                 describeAnswer(answer), delay);
    persist(row, [id = row.id, attempts = row.attempts, next = row.nextAttemptMs,
                  why = describeAnswer(answer)](Store& store, std::string& error) {
      return store.markRetry(id, attempts, next, why, error);
    });
    if (hooks_.attempted) {
      hooks_.attempted(row, refusal ? DeliveryResult::Refused : DeliveryResult::Retry,
                       describeAnswer(answer));
    }
  }
  poll();
}

void Pager::persist(const OutboxRow& row, std::function<bool(Store&, std::string&)> write) {
  if (store_ == nullptr || row.id <= 0) {
    return;
  }
  WriteBacklog::Write toStore = [store = store_, write = std::move(write)](std::string& error) {
    return write(*store, error);
  };
  if (hooks_.storeWrite) {
    hooks_.storeWrite(std::move(toStore));
    return;
  }
  std::string error;
  if (!toStore(error)) {
    spdlog::error("{}", error);
  }
}

bool Pager::rekey(std::int64_t unstoredId, std::int64_t storedId) {
  for (auto& [key, queue] : queues_) {
    for (Queued& item : queue) {
      if (item.row.id == unstoredId) {
        item.row.id = storedId;
        return true;
      }
    }
  }
  return false;
}

void Pager::finish(const QueueKey& key, DeliveryResult result, const std::string& answer) {
  auto& queue = queues_[key];
  const OutboxRow row = std::move(queue.front().row);
  queue.pop_front();
  if (hooks_.attempted) {
    hooks_.attempted(row, result, answer);
  }
}

}  // namespace prober
