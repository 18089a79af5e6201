#pragma once
// GET /status: the page for people who are not engineers. One banner (all good, some problems,
// major outage), the announcements, each group's state in plain words, what is wrong now, and
// the last 30 days. No metric names, status codes or assertions on it.
#include <cstdint>
#include <string>
#include <vector>

#include "prober/runtime/check_state.h"
#include "prober/web/announcements.h"
#include "prober/web/uptime.h"

namespace prober {

struct PublicStatusView {
  std::vector<const CheckState*> checks;
  const UptimeSnapshot* uptime = nullptr;
  std::int64_t nowMs = 0;
  std::string groupBy;                      // the label that groups checks ("" : one group)
  std::vector<Announcement> announcements;  // showing now
};

// A check in plain words: what people see of it. A problem is one the alert confirmed (a
// single failed run is not news); a check in a maintenance window is under maintenance.
enum class PublicState { Operational, Slow, Down, Maintenance };
PublicState publicState(const CheckState& state);

std::string renderPublicStatus(const PublicStatusView& view);

}  // namespace prober
