#include "alerting/alerter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cassert>
#include <set>

#include "alerting/stored_event.h"
#include "checks/duration.h"

namespace prober {

namespace {

// Finished notifications are kept two weeks for the record, then pruned.
constexpr std::int64_t kKeepFinishedMs = 14LL * 24 * 3600 * 1000;

}  // namespace

Alerter::Alerter(Store& store, Transport& transport, AlerterObserver& observer, const Clock& clock,
                 const TimerFactory& timers, Hooks hooks)
    : store_(store),
      observer_(observer),
      clock_(clock),
      hooks_(std::move(hooks)),
      writeRetryTimer_(clock, timers()),
      heldTimer_(clock, timers()),
      pager_(&store, transport, clock, timers,
             Pager::Hooks{hooks_.random,
                          [this](const OutboxRow& row, DeliveryResult result,
                                 const std::string& answer) { attempted(row, result, answer); },
                          [this](WriteBacklog::Write write) { storeWrite(std::move(write)); }}) {}

void Alerter::setNotifiers(Notifiers notifiers, std::string externalUrl) {
  pager_.setNotifiers(std::move(notifiers), std::move(externalUrl));
}

void Alerter::recover(const std::map<std::string, SavedAlert>& saved,
                      const std::function<const CheckSpec*(const std::string&)>& running,
                      const std::function<bool(const std::string&)>& configured) {
  std::string error;
  if (const auto pruned = store_.pruneFinished(wallMs(clock_) - kKeepFinishedMs, error);
      pruned > 0) {
    spdlog::info("pruned {} finished notification(s) older than 14 days", pruned);
  }
  // What was pending before the restart goes first: a resolve queued below must not overtake
  // the trigger it ends, nor be loaded a second time as pending once stored.
  auto pending = store_.loadPending(error);
  if (!error.empty()) {
    spdlog::error("{}", error);
  }
  if (!pending.empty()) {
    spdlog::info("resuming delivery of {} pending notification(s)", pending.size());
  }
  // Checks another shard runs now are handed off before the outbox is first polled: none of
  // their triggers may go out, not even one whose retry is due at once, nor a resolve that
  // only ends such a trigger. That holds for a check that is not firing too: what it queued
  // before the restart (a flapping check's triggers and resolves) is its new owner's to tell.
  const std::set<std::string> handedOff = runElsewhere(saved, pending, running, configured);
  pager_.add(std::move(pending));
  handOffAll(handedOff);
  for (const auto& [key, alert] : saved) {
    if (!alert.firing) {
      continue;
    }
    const auto [name, kind] = parseAlertKey(key);
    const CheckSpec* spec = running(name);
    if (handedOff.count(name) != 0) {
      continue;
    }
    if (!alert.paged) {  // its page was held when the daemon stopped
      if (spec != nullptr && spec->pageByQuorum) {
        continue;  // Prometheus and Alertmanager page for it now
      }
      if (spec != nullptr) {
        held_.insert_or_assign(
            key, HeldPage{*spec, storedEventOf(AlertAction::Trigger, *spec, kind, alert, wallNow()),
                          PageHold{}});
      } else {
        enqueue(key, std::nullopt, {}, "resolve");  // gone before anyone was told: forgotten
      }
      continue;
    }
    // A quorum check's pages were never sent, unless it paged here before the restart turned
    // it to quorum: then it is resolved here below (notifiersChanged), as a reload would.
    if (spec == nullptr || !spec->pageByQuorum || !alert.notify.empty()) {
      SavedAlert paged = alert;
      for (const std::string& notifier : alert.notify) {
        std::string& via = paged.pagedVia[notifier];
        // The configured notifier that pages where this one did (or, stored before
        // destinations were kept, the one of this name).
        via = via.empty() ? pager_.viaOf(notifier) : pager_.settingsFor(via);
      }
      paged_.insert_or_assign(key, std::move(paged));
      // Reminders to people go on one interval after the restart, not all at once at start.
      if (spec != nullptr) {
        for (const std::string& notifier : alert.notify) {
          const auto every = pager_.resendInterval(notifier, renotifyOf(*spec, kind));
          if (every && pager_.remindsPeople(notifier)) {
            resendAtMs_[{key, notifier}] = steadyNowMs() + every->count();
          }
        }
      }
    }
    CheckSpec gone;
    gone.name = name;
    gone.notify = alert.notify;
    if (kind == AlertKind::Check && spec == nullptr) {
      resolveRemoved(gone, nullptr, fromMillis(alert.failingSinceMs));
    } else if (kind == AlertKind::Certificate &&
               (spec == nullptr || spec->certWarning.count() == 0)) {
      resolveCertWarning(spec == nullptr ? gone : *spec, fromMillis(alert.certExpiryMs));
    } else if (kind == AlertKind::Degraded && (spec == nullptr || !hasDegradedAssertions(*spec))) {
      resolveDegraded(spec == nullptr ? gone : *spec, fromMillis(alert.failingSinceMs));
    }
  }
  notifiersChanged(running);  // the config may name other notifiers than when they were paged
  pollOutbox();
  releaseHeld();  // held pages whose hold ended while the daemon was down go out now
}

void Alerter::onRun(const CheckSpec& spec, const RunResult& run, CheckAlerts& alerts) {
  const RunJudgement judgement = alerts.judge(spec, run, wallNow());
  if (!judgement.quiet()) {
    act(judgement);
  }
}

void Alerter::act(const RunJudgement& judgement) {
  if (additionsHeld_ && running_) {
    notifiersChanged(running_);  // a hold may have ended: page the destinations it kept back
  }
  const CheckSpec& spec = judgement.spec;
  const auto now = wallNow();
  if (judgement.alert == AlertTransition::Fire) {
    spdlog::error("check {} alert firing after {} failed runs", spec.name,
                  judgement.consecutiveFailures);
  } else if (judgement.alert == AlertTransition::Resolve) {
    spdlog::info("check {} alert resolved", spec.name);
  }
  judge(spec, judgement.alert, judgement.firing, [&](AlertAction action) {
    const bool trigger = action == AlertAction::Trigger;
    return alertEventFor(action, spec, &judgement.run, trigger ? judgement.consecutiveFailures : 0,
                         judgement.failingSince, now);
  });
  if (judgement.certExpiry) {
    const auto expiry = *judgement.certExpiry;
    if (judgement.certificate == AlertTransition::Fire) {
      spdlog::warn("check {}: TLS certificate expires {} (within cert_warning {})", spec.name,
                   isoTimestampUtc(expiry), formatDuration(spec.certWarning));
    } else if (judgement.certificate == AlertTransition::Resolve) {
      spdlog::info("check {}: TLS certificate renewed, now expires {}", spec.name,
                   isoTimestampUtc(expiry));
    }
    judge(spec, judgement.certificate, judgement.certFiring,
          [&](AlertAction action) { return certAlertEventFor(action, spec, expiry, now); });
  }
  if (judgement.degraded == AlertTransition::Fire) {
    spdlog::warn("check {} degraded after {} degraded runs: {}", spec.name, judgement.degradedRuns,
                 judgement.run.firstDegradation());
  } else if (judgement.degraded == AlertTransition::Resolve) {
    spdlog::info("check {} no longer degraded", spec.name);
  }
  judge(spec, judgement.degraded, judgement.degradedFiring, [&](AlertAction action) {
    return degradedAlertEventFor(action, spec, &judgement.run,
                                 action == AlertAction::Trigger ? judgement.degradedRuns : 0,
                                 judgement.degradedSince, now);
  });
  const bool resolved =
      judgement.alert == AlertTransition::Resolve || judgement.degraded == AlertTransition::Resolve;
  if (resolved && !held_.empty()) {
    releaseHeld();  // a check depending on this one may page now
  }
}

void Alerter::judge(const CheckSpec& spec, AlertTransition change, bool firing,
                    const std::function<AlertEvent(AlertAction)>& event) {
  if (change == AlertTransition::Fire) {
    transition(spec, event(AlertAction::Trigger), true);
  } else if (change == AlertTransition::Resolve) {
    transition(spec, event(AlertAction::Resolve), false);
  } else if (firing) {
    resendIfDue(spec, event(AlertAction::Trigger));
  }
}

void Alerter::resendIfDue(const CheckSpec& spec, const AlertEvent& unlocated) {
  const std::string key = alertKey(spec.name, unlocated.kind);
  if (held_.count(key) != 0 || spec.pageByQuorum) {
    return;  // nobody was told
  }
  AlertEvent event = unlocated;
  event.location = location_;
  const std::int64_t steadyNow = steadyNowMs();
  bool added = false;
  std::optional<bool> holdNow;  // asked once, and only when a reminder is due
  for (const std::string& notifier : spec.notify) {
    const auto every = pager_.resendInterval(notifier, renotifyOf(spec, event.kind));
    if (!every) {
      continue;
    }
    std::int64_t& due = resendAtMs_[{key, notifier}];
    if (steadyNow < due || pager_.queued(key, notifier)) {
      continue;
    }
    // A hold that began after the page pauses reminders to people; an Alertmanager still gets
    // the re-sends that keep its alert alive (its own silences decide what it routes).
    if (pager_.remindsPeople(notifier)) {
      if (!holdNow) {
        holdNow = hooks_.holdFor && hooks_.holdFor(spec, event.kind).has_value();
      }
      if (*holdNow) {
        continue;  // due still: the first run after the hold ends reminds
      }
    }
    due = steadyNow + every->count();
    OutboxRow row{0, key, notifier, event, 0, 0};
    row.resend = true;
    pager_.add({std::move(row)});
    added = true;
  }
  if (added) {
    pollOutbox();
  }
}

void Alerter::page(const AlertEvent& event, const std::string& notifier) {
  const std::string key = alertKey(event.check, event.kind);
  enqueue(key, std::nullopt, {OutboxRow{0, key, notifier, event, 0, 0}}, "page");
}

// An alert fired or resolved: recorded in the history; a trigger is held while a hold applies,
// and a resolve of a held trigger sends nothing (nobody was told it fired).
void Alerter::transition(const CheckSpec& spec, const AlertEvent& unlocated, bool keepFiring) {
  AlertEvent event = unlocated;
  event.location = location_;
  const std::string key = alertKey(spec.name, event.kind);
  observer_.alertChanged(key, event);
  if (spec.pageByQuorum) {  // Prometheus and Alertmanager page for it: the state is kept only
    enqueue(key, keepFiring ? std::optional(firingState(event, {})) : std::nullopt, {},
            actionName(event.action));
    return;
  }
  if (event.action == AlertAction::Trigger && hooks_.holdFor) {
    if (auto why = hooks_.holdFor(spec, event.kind)) {
      hold(spec, event, std::move(*why));
      return;
    }
  }
  if (const auto held = held_.find(key);
      event.action == AlertAction::Resolve && held != held_.end()) {
    held_.erase(held);
    spdlog::info("{}: recovered while its page was held: nothing is sent", key);
    observer_.holdEnded(key, event, "recovered while held: nothing was sent");
    enqueue(key, std::nullopt, {}, "resolve");
    armHeldWake();
    return;
  }
  deliver(spec, event, keepFiring);
}

SavedAlert Alerter::firingState(const AlertEvent& event, const Destinations& paged) {
  SavedAlert saved{true,
                   event.consecutiveFailures,
                   toMillis(event.failingSince),
                   toMillis(event.certExpiry),
                   {}};
  for (const auto& [notifier, via] : paged) {
    saved.notify.push_back(notifier);
    saved.pagedVia[notifier] = via;
  }
  return saved;
}

// A trigger goes to the check's notifiers as configured now; a resolve to those its trigger
// paged, with the settings they were paged with (a reload may have renamed or removed them).
void Alerter::deliver(const CheckSpec& spec, const AlertEvent& event, bool keepFiring) {
  const std::string key = alertKey(spec.name, event.kind);
  Destinations to;
  const auto paged = paged_.find(key);
  if (event.action == AlertAction::Resolve && paged != paged_.end()) {
    to = pagedDestinations(paged->second);
  } else {
    to = destinationsOf(spec);
  }
  std::vector<OutboxRow> rows;
  for (const auto& [notifier, via] : to) {
    OutboxRow row{0, key, notifier, event, 0, 0};
    row.via = via;
    rows.push_back(std::move(row));
    // A trigger is the first send; a resolve ends the re-sending.
    if (const auto every = pager_.resendInterval(notifier, renotifyOf(spec, event.kind));
        every && keepFiring) {
      resendAtMs_[{key, notifier}] = steadyNowMs() + every->count();
    } else {
      resendAtMs_.erase({key, notifier});
    }
  }
  std::optional<SavedAlert> saved;
  if (keepFiring) {
    saved = firingState(event, to);
    paged_.insert_or_assign(key, *saved);
  } else {
    paged_.erase(key);
  }
  enqueue(key, saved, std::move(rows), actionName(event.action));
}

void Alerter::enqueue(const std::string& key, const std::optional<SavedAlert>& saved,
                      std::vector<OutboxRow> rows, std::string_view what) {
  std::vector<std::int64_t> unstoredIds;
  for (OutboxRow& row : rows) {
    if (row.via.empty()) {
      row.via = pager_.viaOf(row.notifier);  // stored with its settings (a page from Slack)
    }
    row.id = nextUnstoredId_--;
    unstoredIds.push_back(row.id);
  }
  // The store keeps each row's settings whole (the routing key or webhook with them, in files
  // only their owner reads): a restart into a config that no longer names the destination still
  // delivers what was queued for it, and resolves there what it paged.
  std::vector<OutboxRow> toStore = rows;
  pager_.add(std::move(rows));  // queued first, so a write that succeeds now can rekey them
  storeWrite(
      [this, key, saved, toStore = std::move(toStore), unstoredIds](std::string& error) mutable {
        for (OutboxRow& row : toStore) {
          row.id = 0;
        }
        if (!store_.recordTransition(key, saved, toStore, error)) {
          return false;
        }
        adoptStoredRows(toStore, unstoredIds);
        return true;
      },
      fmt::format("the {} for {} is delivered from memory", what, key));
  pollOutbox();
}

// Rows just stored: the pager records their outcomes from now on, and those that already ended
// while their write waited are marked so now.
void Alerter::adoptStoredRows(const std::vector<OutboxRow>& stored,
                              const std::vector<std::int64_t>& unstoredIds) {
  for (std::size_t i = 0; i < stored.size(); ++i) {
    assert(stored[i].id > 0);
    const auto outcome = unstoredOutcomes_.find(unstoredIds[i]);
    if (outcome == unstoredOutcomes_.end()) {
      pager_.rekey(unstoredIds[i], stored[i].id);
      continue;
    }
    const bool delivered = outcome->second == DeliveryResult::Delivered;
    unstoredOutcomes_.erase(outcome);
    const std::int64_t id = stored[i].id;
    const std::int64_t at = wallMs(clock_);
    // Runs now, inside the write that stored the row, or behind the writes waiting.
    storeWrite([this, id, at, delivered](std::string& e) {
      return delivered ? store_.markDelivered(id, at, e)
                       : store_.markRejected(id, "ended before it was stored", e);
    });
  }
}

// Runs a state write in order with the others; one the store refuses (or that waits behind
// one) is kept until the store takes it, and `meanwhile` says what happens until then.
void Alerter::storeWrite(WriteBacklog::Write write, std::string_view meanwhile) {
  if (!stateWrites_.submit(std::move(write))) {
    spdlog::error("state store: {} ({}; the write is kept until the store takes it)",
                  stateWrites_.lastError(), meanwhile);
    stateWriteFailed();
  }
}

// A state write failed: counted, and retried with backoff until the store takes it.
void Alerter::stateWriteFailed() {
  observer_.stateWritesRefused(stateWrites_.failures() - refusalsReported_);
  refusalsReported_ = stateWrites_.failures();
  if (!retryArmed_) {
    retryArmed_ = true;
    writeRetryTimer_.armIn(std::chrono::milliseconds(stateWrites_.retryDelayMs()),
                           [this] { retryStateWrites(); });
  }
}

void Alerter::retryStateWrites() {
  retryArmed_ = false;
  const std::size_t waiting = stateWrites_.pending();
  if (waiting == 0) {
    return;
  }
  if (stateWrites_.retry()) {
    spdlog::info("state store: {} delayed write(s) stored", waiting);
    return;
  }
  spdlog::error("state store: {} write(s) still waiting: {}", stateWrites_.pending(),
                stateWrites_.lastError());
  stateWriteFailed();
}

void Alerter::stop() {
  pager_.stop();
  writeRetryTimer_.cancel();
  heldTimer_.cancel();
}

void Alerter::pollOutbox() {
  pager_.poll();
  observer_.outboxPending(pager_.pending());
}

void Alerter::attempted(const OutboxRow& row, DeliveryResult result, const std::string& answer) {
  observer_.deliveryAttempted(row, result, answer);
  observer_.outboxPending(pager_.pending());
  if (row.id < 0 && !row.resend && result != DeliveryResult::Retry &&
      result != DeliveryResult::Refused) {
    unstoredOutcomes_[row.id] = result;  // stored with the row later
  }
}

}  // namespace prober
