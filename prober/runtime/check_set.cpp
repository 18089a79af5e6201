#include "prober/runtime/check_set.h"

#include <spdlog/spdlog.h>

#include <cassert>

#include "alerting/alert_event.h"

namespace prober {

namespace {

// A new check (no running one by that name) takes its alert from before the restart.
void restoreSaved(CheckState& state, const std::map<std::string, SavedAlert>& saved) {
  const CheckSpec& spec = *state.spec();
  if (auto alert = saved.find(spec.name); alert != saved.end()) {
    state.alerts().restoreAlert(alert->second.firing, alert->second.consecutiveFailures,
                                fromMillis(alert->second.failingSinceMs));
    if (alert->second.firing) {
      spdlog::info("check {}: alert still firing from before the restart", spec.name);
    }
  }
  if (const auto degraded = saved.find(alertKey(spec.name, AlertKind::Degraded));
      degraded != saved.end() && hasDegradedAssertions(spec)) {
    state.alerts().restoreDegraded(spec, degraded->second.firing,
                                   degraded->second.consecutiveFailures,
                                   fromMillis(degraded->second.failingSinceMs));
  }
  const auto cert = saved.find(alertKey(spec.name, AlertKind::Certificate));
  if (cert != saved.end() && cert->second.firing && spec.certWarning.count() > 0) {
    state.alerts().restoreCertWarning(true);
  }
}

}  // namespace

CheckSetChange CheckSet::apply(SpecList specs, const std::map<std::string, SavedAlert>& saved) {
  CheckSetChange change;
  ByName kept;
  CheckList ordered;
  ordered.reserve(specs.size());
  for (const auto& spec : specs) {
    auto it = byName_.find(spec->name);
    if (it != byName_.end() && it->second.state->spec()->sameAs(*spec)) {
      it->second.state->replaceSpec(spec);  // the old key's view may dangle now: erased below
      ordered.push_back(it->second.state);
      kept.emplace(spec->name, std::move(it->second));
      byName_.erase(it);
      ++change.unchanged;
      continue;
    }
    Running running{nextId_++, std::make_shared<CheckState>(spec)};
    if (it != byName_.end()) {
      // Changed, same name: the alert carries over so a firing check neither pages again nor
      // is forgotten; so does a certificate warning while the new definition asks for one.
      ++change.changed;
      const std::shared_ptr<CheckState>& old = it->second.state;
      running.state->alerts().carryOver(*spec, old->alerts());
      if (old->certWarningFiring()) {
        if (spec->certWarning.count() > 0) {
          running.state->alerts().restoreCertWarning(true);
        } else {
          change.certWarningsDropped.push_back(old);
        }
      }
      if (old->spec()->pageByQuorum && !spec->pageByQuorum && old->alert().firing()) {
        change.firingNowPagedHere.push_back(running.state);
      }
      if (old->degradedAlert().firing() && !hasDegradedAssertions(*spec)) {
        change.degradedDropped.push_back(old);
        running.state->alerts().restoreDegraded(*spec, false, 0, {});
      }
      change.stopped.push_back(it->second.id);
      byName_.erase(it);
    } else {
      ++change.added;
      restoreSaved(*running.state, saved);
    }
    change.started.emplace_back(running.id, spec);
    ordered.push_back(running.state);
    kept.emplace(spec->name, std::move(running));
  }
  // What is left was removed from the config.
  for (auto& [name, running] : byName_) {
    change.stopped.push_back(running.id);
    change.removed.push_back(running.state);
  }
  byName_ = std::move(kept);
  byId_.clear();
  byId_.reserve(byName_.size());
  for (const auto& [name, running] : byName_) {
    byId_.emplace(running.id, &running);
  }
  ordered_ = std::make_shared<const CheckList>(std::move(ordered));
  specs_ = std::make_shared<const SpecList>(std::move(specs));
  assert(byName_.size() == ordered_->size() && byId_.size() == ordered_->size());
  return change;
}

std::shared_ptr<CheckState> CheckSet::find(const std::string& name) const {
  const auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second.state;
}

std::shared_ptr<CheckState> CheckSet::find(CheckId id) const {
  const auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : it->second->state;
}

CheckId CheckSet::idOf(const std::string& name) const {
  const auto it = byName_.find(name);
  return it == byName_.end() ? 0 : it->second.id;
}

std::vector<CheckId> CheckSet::ids() const {
  std::vector<CheckId> out;
  out.reserve(byName_.size());
  for (const auto& [name, running] : byName_) {
    out.push_back(running.id);
  }
  return out;
}

std::size_t CheckSet::count(const std::function<bool(const CheckSpec&)>& matches) const {
  std::size_t matching = 0;
  for (const auto& state : *ordered_) {
    matching += matches(*state->spec()) ? 1 : 0;
  }
  return matching;
}

}  // namespace prober
