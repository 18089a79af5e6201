#pragma once
// What may hold a check's pages for a time: the config's maintenance windows and the silences
// people add at run time (kept in the store, so they survive a restart). Dependencies are the
// runtime's to judge (they need the other checks' alerts); the alerter only asks, through a hook.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerting/holds/page_hold.h"
#include "alerting/holds/silence.h"
#include "alerting/store.h"
#include "checks/check_spec.h"

namespace prober {

class PageHolds {
 public:
  explicit PageHolds(Store& store) : store_(store) {}

  // Loads the stored silences that have not ended at `now`; false with `error` when it cannot.
  bool load(std::chrono::system_clock::time_point now, std::string& error);
  void setWindows(std::vector<MaintenanceSpec> windows) {
    windows_ = std::move(windows);
    openAt_.reset();
    ++changes_;
  }
  const std::vector<MaintenanceSpec>& windows() const { return windows_; }

  // Silences that have not ended at `now`, oldest first.
  std::vector<Silence> silences(std::chrono::system_clock::time_point now) const;
  // Stores a new silence and returns it with its id; nullopt with `error` when the store refuses.
  std::optional<Silence> add(Silence silence, std::string& error);
  enum class Removal { Removed, NotFound, Failed };
  Removal remove(std::int64_t id, std::string& error);

  // The window or silence that covers the check at `now` (the one that ends last).
  std::optional<PageHold> silencedBy(const CheckSpec& spec,
                                     std::chrono::system_clock::time_point now) const;
  // Whether a window (open now or not) or a silence not ended at `now` covers the check: for
  // any other check silencedBy() says nothing until the windows or the silences change.
  bool mayCover(const CheckSpec& spec, std::chrono::system_clock::time_point now) const;
  // Counts the changes to the windows and the silences (loaded, set, added, removed): what was
  // worked out from them is stale once it moved.
  std::uint64_t changes() const { return changes_; }

 private:
  struct Open {
    const MaintenanceSpec* window;
    std::chrono::system_clock::time_point end;
  };
  // The windows open at `now`, worked out once per second: asking for 100,000 checks costs
  // one calendar search per window, not one per check.
  const std::vector<Open>& openWindows(std::chrono::system_clock::time_point now) const;

  Store& store_;
  std::vector<MaintenanceSpec> windows_;
  std::vector<Silence> silences_;
  mutable std::optional<std::chrono::system_clock::time_point> openAt_;  // whole seconds
  mutable std::vector<Open> open_;
  std::uint64_t changes_ = 0;
};

}  // namespace prober
