#pragma once
// Whether a check's pages go out now: a maintenance window or a silence covering it holds them
// (prober_check_silenced), and so does a check in its depends_on whose alert fires
// (prober_check_suppressed). The alerter asks through a hook; metrics, the API and the status
// page ask the same questions to say why.
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert_event.h"
#include "alerting/page_holds.h"
#include "checks/clock.h"
#include "prober/runtime/check_set.h"

namespace prober {

class HoldPolicy {
 public:
  HoldPolicy(const CheckSet& checks, const PageHolds& holds, const Clock& clock)
      : checks_(checks), holds_(holds), clock_(clock) {}

  // Why the check's pages of this kind are held now. A window or silence holds every kind; a
  // firing dependency holds the check's failure and degraded pages, not its certificate
  // warning (that certificate is this check's own).
  std::optional<PageHold> holdFor(const CheckSpec& spec, AlertKind kind) const;
  // The window or silence covering the check now.
  std::optional<PageHold> silencedBy(const CheckSpec& spec) const;
  // The checks of its depends_on whose alert fires now, in the order written.
  std::vector<std::string> firingParents(const CheckSpec& spec) const;
  // Writes down on every running check what holds its pages now.
  void markAll() const;

 private:
  const CheckSet& checks_;
  const PageHolds& holds_;
  const Clock& clock_;
};

}  // namespace prober
