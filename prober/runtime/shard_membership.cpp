#include "prober/runtime/shard_membership.h"

#include <spdlog/spdlog.h>

namespace prober {

ShardMembership::ShardMembership(Store& store, Alerter& alerter)
    : store_(store), alerter_(alerter) {
  std::string error;
  appliedShard_ = store_.appliedShard(error);
  if (!error.empty()) {
    spdlog::error("{} (a shard change now cannot tell which checks it adopts)", error);
  }
  error.clear();
  adopted_ = store_.adoptedChecks(error);
  if (!error.empty()) {
    spdlog::error("{} (adopted checks owing a resolve are forgotten)", error);
  }
}

std::vector<std::shared_ptr<const CheckSpec>> ShardMembership::owned(
    const std::vector<std::shared_ptr<const CheckSpec>>& all, const std::optional<Shard>& shard) {
  if (!shard) {
    return all;
  }
  std::vector<std::shared_ptr<const CheckSpec>> out;
  for (const auto& spec : all) {
    if (shard->owns(spec->name)) {
      out.push_back(spec);
    }
  }
  return out;
}

bool ShardMembership::applied(const std::optional<Shard>& shard, const CheckSetChange& change,
                              const CheckSet& checks) {
  const std::string now = shard ? shard->text() : "";
  const bool changed = appliedShard_ && *appliedShard_ != now;
  if (changed) {
    spdlog::info("shard changed from {} to {}", appliedShard_->empty() ? "none" : *appliedShard_,
                 shard ? now : "none");
    std::string ignored;
    const std::optional<Shard> previous =
        appliedShard_->empty() ? std::nullopt : parseShard(*appliedShard_, ignored);
    for (const auto& [id, spec] : change.started) {
      if (previous && !previous->owns(spec->name)) {  // unsharded ran them all
        adopted_.insert(spec->name);
      }
    }
  }
  std::erase_if(adopted_, [&](const std::string& name) {
    return checks.find(name) == nullptr;  // left this shard again: not ours
  });
  saveAdopted();
  if (!appliedShard_ || changed) {
    appliedShard_ = now;
    std::string error;
    if (!store_.setAppliedShard(now, error)) {
      spdlog::error("{} (a later shard change cannot tell which checks it adopts)", error);
    }
  }
  return changed;
}

void ShardMembership::settle(const CheckState& state) {
  const std::string& name = state.spec()->name;
  const bool firing = state.alert().firing();
  if (adopted_.count(name) == 0 ||
      (!firing && state.alert().consecutiveSuccesses() < state.spec()->successThreshold)) {
    return;
  }
  adopted_.erase(name);  // firing: its own resolve comes when it recovers
  if (!firing && state.last()) {
    alerter_.resolveAdopted(*state.spec(), *state.last());
  }
  saveAdopted();
}

void ShardMembership::saveAdopted() {
  std::string error;
  if (!store_.setAdoptedChecks(adopted_, error)) {
    spdlog::error("{} (a restart may forget which adopted checks still owe a resolve)", error);
  }
}

}  // namespace prober
