#pragma once
// Whether a check's pages go out now: a maintenance window or a silence covering it holds them
// (prober_check_silenced), and so does a check in its depends_on whose alert fires
// (prober_check_suppressed). The alerter asks through a hook; metrics, the API and the status
// page ask the same questions to say why.
//
// The holds live here, in alerting/holds/: what a hold is (page_hold.h), where holds come from
// (page_holds: the config's maintenance windows and the stored silences), this policy that
// decides, and the pages the alerter keeps back while one applies (held_pages.cpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert_event.h"
#include "alerting/holds/page_holds.h"
#include "checks/clock.h"

namespace prober {

class HoldPolicy {
 public:
  // Whether the check by this name runs here and its alert fires now.
  using Firing = std::function<bool(const std::string& check)>;

  HoldPolicy(const PageHolds& holds, const Clock& clock, Firing firing)
      : holds_(holds), clock_(clock), firing_(std::move(firing)) {}

  // Why the check's pages of this kind are held now. A window or silence holds every kind; a
  // firing dependency holds the check's failure and degraded pages, not its certificate
  // warning (that certificate is this check's own).
  std::optional<PageHold> holdFor(const CheckSpec& spec, AlertKind kind) const;
  // The window or silence covering the check now.
  std::optional<PageHold> silencedBy(const CheckSpec& spec) const;
  // The checks of its depends_on whose alert fires now, in the order written.
  std::vector<std::string> firingParents(const CheckSpec& spec) const;
  // Whether anything could hold the check's pages before the windows, the silences or the
  // config change: a window or a silence covering it, or a depends_on. For any other check the
  // two questions above answer nothing until then (until holdsChanges() moves, or its spec).
  bool mayHold(const CheckSpec& spec) const;
  // Moves whenever a window or a silence came, went or changed (PageHolds::changes()).
  std::uint64_t holdsChanges() const { return holds_.changes(); }

 private:
  const PageHolds& holds_;
  const Clock& clock_;
  Firing firing_;
};

}  // namespace prober
