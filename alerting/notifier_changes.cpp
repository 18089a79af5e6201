// The alerter when the notifiers change (a reload, a restart): each paged alert is resolved on
// the destinations its check no longer pages and triggered on those it pages now (Alerter in
// alerter.h). A destination is where pages land, so a rename or a new timeout changes nothing.
#include <spdlog/spdlog.h>

#include <set>

#include "alerting/alerter.h"
#include "alerting/stored_event.h"

namespace prober {

Alerter::Destinations Alerter::destinationsOf(const CheckSpec& spec) const {
  Destinations out;
  for (const std::string& notifier : spec.notify) {
    out.emplace_back(notifier, pager_.viaOf(notifier));
  }
  return out;
}

Alerter::Destinations Alerter::pagedDestinations(const SavedAlert& alert) const {
  Destinations out;
  for (const std::string& notifier : alert.notify) {
    const auto via = alert.pagedVia.find(notifier);
    out.emplace_back(notifier, via != alert.pagedVia.end() ? via->second : pager_.viaOf(notifier));
  }
  return out;
}

void Alerter::notifiersChanged(const std::function<const CheckSpec*(const std::string&)>& running) {
  running_ = running;
  additionsHeld_ = false;
  std::vector<std::string> keys;
  for (const auto& [key, alert] : paged_) {
    keys.push_back(key);
  }
  for (const std::string& key : keys) {
    SavedAlert& alert = paged_.at(key);
    const auto [name, kind] = parseAlertKey(key);
    const CheckSpec* spec = running(name);
    if (spec == nullptr) {
      continue;
    }
    // Now paged by the quorum rules: every destination this instance paged hears it is over.
    Destinations wanted = spec->pageByQuorum ? Destinations{} : destinationsOf(*spec);
    const Destinations before = pagedDestinations(alert);
    // A hold (silence, window, firing parent) keeps new destinations from being paged until it
    // ends: they are left out for now and asked about again at the next run.
    const bool held = !wanted.empty() && hooks_.holdFor && hooks_.holdFor(*spec, kind).has_value();
    // Compared by where pages land: a new timeout or severity is the same destination.
    std::set<std::string> wantedAt;
    for (const auto& [notifier, via] : wanted) {
      wantedAt.insert(pager_.destinationOf(via));
    }
    std::set<std::string> pagedAt;
    std::vector<OutboxRow> rows;
    const auto now = wallNow();
    for (const auto& [notifier, via] : before) {
      pagedAt.insert(pager_.destinationOf(via));
    }
    if (held) {
      std::erase_if(wanted, [&](const auto& destination) {
        const bool added = pagedAt.count(pager_.destinationOf(destination.second)) == 0;
        additionsHeld_ = additionsHeld_ || added;
        return added;
      });
    }
    for (const auto& [notifier, via] : before) {
      if (wantedAt.count(pager_.destinationOf(via)) == 0) {  // no longer paged there: it is over
        OutboxRow row{
            0, key, notifier, storedEventOf(AlertAction::Resolve, *spec, kind, alert, now), 0, 0};
        row.event.location = location_;
        row.via = via;
        rows.push_back(std::move(row));
        resendAtMs_.erase({key, notifier});
        spdlog::info("{}: notifier {} no longer pages it: resolving it there", key, notifier);
      }
    }
    for (const auto& [notifier, via] : wanted) {
      // Reminders to people go on from the page, whatever the notifier is called now.
      const auto every = pager_.resendInterval(notifier, renotifyOf(*spec, kind));
      if (every && pager_.remindsPeople(notifier) && resendAtMs_.count({key, notifier}) == 0) {
        resendAtMs_[{key, notifier}] = steadyNowMs() + every->count();
      }
      if (pagedAt.count(pager_.destinationOf(via)) == 0) {  // a new destination: told it fires
        OutboxRow row{
            0, key, notifier, storedEventOf(AlertAction::Trigger, *spec, kind, alert, now), 0, 0};
        row.event.location = location_;
        row.via = via;
        rows.push_back(std::move(row));
        spdlog::info("{}: notifier {} now pages it: triggering it there", key, notifier);
      }
    }
    if (rows.empty() && before == wanted) {
      continue;
    }
    // The same alert, paging what the check names now (renamed notifiers by their new names).
    SavedAlert next = firingState(AlertEvent{}, wanted);
    next.consecutiveFailures = alert.consecutiveFailures;
    next.failingSinceMs = alert.failingSinceMs;
    next.certExpiryMs = alert.certExpiryMs;
    alert = std::move(next);
    const SavedAlert stored = alert;
    if (spec->pageByQuorum) {
      paged_.erase(key);  // its state is kept, as every quorum check's is
    }
    enqueue(key, stored, std::move(rows), "notifier change");
  }
}

// Stores the alert's new state and its notifications in one transaction, then delivers. When
// the store refuses (a full disk), delivery goes on from memory and the write is retried until
// stored, with the outcomes of what was delivered meanwhile.

}  // namespace prober
