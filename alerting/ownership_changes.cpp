// The alerter when who answers for a check's alerts changes (Alerter in alerter.h): a check
// that left the config resolves what it had firing; one that moved to another shard is handed
// off without a resolve, at a reload or at a restart, since its new owner resolves it; one
// adopted from another shard sends one resolve once it passes; one the quorum rules paged until
// a reload pages here now.
#include <spdlog/spdlog.h>

#include <set>

#include "alerting/alerter.h"

namespace prober {

namespace {

// Why a handed-off check's queued triggers are dropped, as the outbox records it.
constexpr const char* kLeftThisShard = "the check left this shard: its new owner pages it";

}  // namespace

void Alerter::checkLeft(const LeavingCheck& check) {
  if (check.stillConfigured) {
    return handOff(check.spec);
  }
  if (check.firing) {
    resolveRemoved(check.spec, check.last, check.failingSince);
  }
  if (check.certWarningFiring) {
    resolveCertWarning(check.spec, check.certExpiry);
  }
  if (check.degradedFiring) {
    resolveDegraded(check.spec, check.degradedSince);
  }
}

void Alerter::resolveRemoved(const CheckSpec& spec, const RunResult* last,
                             std::chrono::system_clock::time_point failingSince) {
  spdlog::info("check {} left the config while its alert was firing: resolving it", spec.name);
  transition(spec, alertEventFor(AlertAction::Resolve, spec, last, 0, failingSince, wallNow()),
             false);
}

void Alerter::resolveCertWarning(const CheckSpec& spec,
                                 std::chrono::system_clock::time_point expiry) {
  spdlog::info("check {}: certificate warning no longer watched: resolving it", spec.name);
  transition(spec, certAlertEventFor(AlertAction::Resolve, spec, expiry, wallNow()), false);
}

void Alerter::resolveDegraded(const CheckSpec& spec, std::chrono::system_clock::time_point since) {
  spdlog::info("check {}: degraded warning no longer watched: resolving it", spec.name);
  transition(spec, degradedAlertEventFor(AlertAction::Resolve, spec, nullptr, 0, since, wallNow()),
             false);
}

void Alerter::handOff(const CheckSpec& spec) {
  spdlog::info("check {} left this shard: its alerts are its new owner's now", spec.name);
  for (const AlertKind kind : {AlertKind::Check, AlertKind::Certificate, AlertKind::Degraded}) {
    const std::string key = alertKey(spec.name, kind);
    held_.erase(key);
    paged_.erase(key);
    pager_.dropTriggers(key, kLeftThisShard);
    enqueue(key, std::nullopt, {}, "handoff");
  }
}

std::set<std::string> Alerter::runElsewhere(
    const std::map<std::string, SavedAlert>& saved, const std::vector<OutboxRow>& pending,
    const std::function<const CheckSpec*(const std::string&)>& running,
    const std::function<bool(const std::string&)>& configured) {
  std::set<std::string> handedOff;
  const auto leftThisShard = [&](const std::string& key) {
    const std::string name = parseAlertKey(key).first;
    if (running(name) == nullptr && configured(name)) {
      handedOff.insert(name);
    }
  };
  for (const auto& [key, alert] : saved) {
    leftThisShard(key);
  }
  for (const OutboxRow& row : pending) {
    leftThisShard(row.check);
  }
  return handedOff;
}

void Alerter::handOffAll(const std::set<std::string>& handedOff) {
  // Every handed-off check's triggers are dropped before any is handed off: handing one off
  // records it, and that polls the outbox.
  for (const std::string& name : handedOff) {
    for (const AlertKind kind : {AlertKind::Check, AlertKind::Certificate, AlertKind::Degraded}) {
      pager_.dropTriggers(alertKey(name, kind), kLeftThisShard);
    }
  }
  for (const std::string& name : handedOff) {
    CheckSpec theirs;
    theirs.name = name;
    handOff(theirs);
  }
}

void Alerter::resolveAdopted(const CheckSpec& spec, const RunResult& last) {
  if (spec.pageByQuorum) {
    return;
  }
  spdlog::info("check {} adopted from another shard passed {} runs: one resolve for its pages",
               spec.name, spec.successThreshold);
  AlertEvent event = alertEventFor(AlertAction::Resolve, spec, &last, 0, last.startedAt, wallNow());
  event.location = location_;
  deliver(spec, event, false);
}

void Alerter::pageTakenFromQuorum(const CheckSpec& spec, const RunResult* last,
                                  int consecutiveFailures,
                                  std::chrono::system_clock::time_point failingSince) {
  spdlog::warn(
      "check {} is paged by this instance now, not the quorum rules, and it fails: "
      "paging it",
      spec.name);
  transition(
      spec,
      alertEventFor(AlertAction::Trigger, spec, last, consecutiveFailures, failingSince, wallNow()),
      true);
}

}  // namespace prober
