#pragma once
// The running checks: one CheckState per check, found by name or by scheduler id, kept in
// config order. Applying a new config keeps the state of unchanged checks, carries a changed
// check's alert over, restores alerts saved before a restart, and says what changed; it alone
// owns these indexes. It schedules nothing and pages nobody: the caller acts on the change.
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alerting/store.h"
#include "checks/check_spec.h"
#include "prober/runtime/check_state.h"
#include "prober/runtime/scheduler.h"

namespace prober {

// The running checks in config order, as one apply() left them. Shared, never changed after:
// a scrape or the uptime pass holds the list it began with by one reference, where copying a
// million pointers (and dropping them after) held the loop for tens of milliseconds.
using CheckList = std::vector<std::shared_ptr<CheckState>>;
using SpecList = std::vector<std::shared_ptr<const CheckSpec>>;

struct CheckSetChange {
  std::size_t added = 0;
  std::size_t changed = 0;
  std::size_t unchanged = 0;
  // Checks to schedule (new ones and changed ones, under a new id) and ids to stop.
  std::vector<std::pair<CheckId, std::shared_ptr<const CheckSpec>>> started;
  std::vector<CheckId> stopped;
  // Checks that left the config, as they were: a firing alert of theirs must be resolved.
  std::vector<std::shared_ptr<const CheckState>> removed;
  // Changed checks whose firing certificate warning the new definition no longer asks for.
  std::vector<std::shared_ptr<const CheckState>> certWarningsDropped;
  // Changed checks whose firing degraded warning the new definition no longer has assertions for.
  std::vector<std::shared_ptr<const CheckState>> degradedDropped;
  // Changed checks paged by the quorum rules before and by this instance now, their alert
  // firing: nobody here was told, so they page now (as a restart would).
  std::vector<std::shared_ptr<const CheckState>> firingNowPagedHere;

  std::size_t removedCount() const { return removed.size(); }
};

class CheckSet {
 public:
  // Replaces the running checks with `specs`. A check with the same name and behaviour keeps
  // its state (and its id, so its schedule); a changed one starts afresh under a new id but
  // keeps its alert; a new one takes its alert from `saved` (the store's alerts before a
  // restart) when there is one.
  CheckSetChange apply(SpecList specs, const std::map<std::string, SavedAlert>& saved = {});

  // nullptr when no running check has this name or id.
  std::shared_ptr<CheckState> find(const std::string& name) const;
  std::shared_ptr<CheckState> find(CheckId id) const;
  CheckId idOf(const std::string& name) const;  // 0 when unknown

  // In config order.
  const CheckList& inOrder() const { return *ordered_; }
  // The same list to hold on to: a later apply() replaces it rather than changing it.
  std::shared_ptr<const CheckList> sharedInOrder() const { return ordered_; }
  // Their specs in the same order, held the same way (each the spec its state has).
  std::shared_ptr<const SpecList> specs() const { return specs_; }
  std::vector<CheckId> ids() const;
  std::size_t size() const { return ordered_->size(); }
  // How many running checks `matches` says yes to.
  std::size_t count(const std::function<bool(const CheckSpec&)>& matches) const;

 private:
  struct Running {
    CheckId id = 0;
    std::shared_ptr<CheckState> state;
  };
  // Keyed by a view of the name in the state's own spec (apply keeps the two together), so
  // a million checks do not hold their names twice.
  using ByName = std::unordered_map<std::string_view, Running>;
  ByName byName_;
  // Into byName_'s entries, whose addresses stay put; rebuilt by apply. Open addressing: a
  // run looks its check up twice without chasing a node, and no check holds a node here.
  boost::unordered_flat_map<CheckId, const Running*> byId_;
  std::shared_ptr<const CheckList> ordered_ = std::make_shared<const CheckList>();
  std::shared_ptr<const SpecList> specs_ = std::make_shared<const SpecList>();
  CheckId nextId_ = 1;
};

}  // namespace prober
