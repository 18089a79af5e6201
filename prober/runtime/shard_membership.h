#pragma once
// Which checks this instance runs when checks are sharded, and what it owes the checks it took
// over. A check this instance runs now that the shard it last applied did not is *adopted*:
// its old owner may have paged for it, so once it has passed success_threshold runs one
// resolve goes to its notifiers (the receivers drop it when nothing is open); an adopted check
// that fires instead resolves in its own time. The shard last applied and the adopted checks
// still owing their resolve are kept in the store, so a restart forgets neither.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerting/alerter.h"
#include "alerting/store.h"
#include "checks/shard.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/check_state.h"

namespace prober {

class ShardMembership {
 public:
  // Reads what the store kept; what it cannot read is logged, and the instance starts as if
  // nothing were adopted.
  ShardMembership(Store& store, Alerter& alerter);

  // The checks of `all` that `shard` runs (all of them when unsharded).
  static std::vector<std::shared_ptr<const CheckSpec>> owned(
      const std::vector<std::shared_ptr<const CheckSpec>>& all, const std::optional<Shard>& shard);

  // The running checks were just applied as `shard` (`change` says what started): checks
  // the previous shard did not own are adopted, adopted checks no longer running are
  // forgotten, and the shard is kept. Returns whether the shard changed since last applied.
  bool applied(const std::optional<Shard>& shard, const CheckSetChange& change,
               const CheckSet& checks);

  // After each run of `state`: an adopted check that has passed enough runs sends its one
  // resolve; one that fires is no longer adopted.
  void runFinished(const CheckState& state) {
    if (!adopted_.empty()) {  // the common case costs one test per run
      settle(state);
    }
  }

  bool adopted(const std::string& check) const { return adopted_.count(check) != 0; }
  const std::set<std::string>& adopted() const { return adopted_; }

 private:
  void settle(const CheckState& state);
  void saveAdopted();

  Store& store_;
  Alerter& alerter_;
  // The shard the checks were last applied as ("" unsharded); nullopt before the first start
  // that kept one (then nothing is adopted: there was no earlier owner to take over from).
  std::optional<std::string> appliedShard_;
  std::set<std::string> adopted_;
};

}  // namespace prober
