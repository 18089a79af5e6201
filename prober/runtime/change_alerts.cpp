#include "prober/runtime/change_alerts.h"

#include <optional>
#include <set>
#include <string_view>
#include <unordered_set>

namespace prober {

namespace {

// The spec of the running check by this name, nullptr when none runs.
std::function<const CheckSpec*(const std::string&)> runningIn(const CheckSet& checks) {
  return [&checks](const std::string& name) -> const CheckSpec* {
    const auto state = checks.find(name);
    return state ? state->spec().get() : nullptr;
  };
}

}  // namespace

void recoverAlerts(Alerter& alerter, const std::map<std::string, SavedAlert>& saved,
                   const CheckSet& checks,
                   const std::vector<std::shared_ptr<const CheckSpec>>& configured) {
  // Built when first asked (alerts or notifications kept for a check this shard does not run):
  // a million names are not indexed for a start with nothing kept.
  std::optional<std::unordered_set<std::string_view>> names;
  alerter.recover(saved, runningIn(checks), [&](const std::string& name) {
    if (!names) {
      names.emplace();
      for (const auto& spec : configured) {
        names->insert(spec->name);
      }
    }
    return names->count(name) != 0;
  });
}

void alertsAfterChange(Alerter& alerter, const CheckSetChange& change, const CheckSet& checks,
                       const std::vector<std::shared_ptr<const CheckSpec>>& configured,
                       std::chrono::system_clock::time_point now) {
  for (const auto& old : change.certWarningsDropped) {
    alerter.resolveCertWarning(*old->spec(), old->certExpiry().value_or(now));
  }
  for (const auto& old : change.degradedDropped) {
    alerter.resolveDegraded(*old->spec(), old->degradedSince());
  }
  std::set<std::string_view> inConfig;  // asked only about checks that left
  if (!change.removed.empty()) {
    for (const auto& spec : configured) {
      inConfig.insert(spec->name);
    }
  }
  for (const auto& gone : change.removed) {
    alerter.checkLeft(gone->leaving(inConfig.count(gone->spec()->name) != 0, now));
  }
  for (const auto& state : change.firingNowPagedHere) {
    alerter.pageTakenFromQuorum(*state->spec(), state->last().get(),
                                state->alert().consecutiveFailures(), state->failingSince());
  }
  alerter.refreshHeld(runningIn(checks));
  alerter.notifiersChanged(runningIn(checks));
}

}  // namespace prober
