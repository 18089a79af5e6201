#include "alerting/holds/hold_policy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace prober {

std::optional<PageHold> HoldPolicy::holdFor(const CheckSpec& spec, AlertKind kind) const {
  if (auto silenced = silencedBy(spec)) {
    return silenced;
  }
  if (kind == AlertKind::Certificate) {
    return std::nullopt;
  }
  const std::vector<std::string> parents = firingParents(spec);
  if (parents.empty()) {
    return std::nullopt;
  }
  return PageHold{PageHold::Cause::Dependency,
                  fmt::format("depends on {}, which {} firing", fmt::join(parents, ", "),
                              parents.size() == 1 ? "is" : "are"),
                  std::nullopt};
}

std::optional<PageHold> HoldPolicy::silencedBy(const CheckSpec& spec) const {
  return holds_.silencedBy(spec, clock_.wallNow());
}

std::vector<std::string> HoldPolicy::firingParents(const CheckSpec& spec) const {
  std::vector<std::string> firing;
  for (const std::string& name : spec.dependsOn) {
    if (firing_(name)) {
      firing.push_back(name);
    }
  }
  return firing;
}

bool HoldPolicy::mayHold(const CheckSpec& spec) const {
  return !spec.dependsOn.empty() || holds_.mayCover(spec, clock_.wallNow());
}

}  // namespace prober
