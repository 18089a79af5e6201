#pragma once
// GET /status: the page for people who are not engineers. One banner (all good, some problems,
// major outage), the announcements, each group's state in plain words, what is wrong now, and
// the last 30 days. No metric names, status codes or assertions on it.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
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

// The page built a check at a time, so that a million checks are gone through a slice per turn
// of the loop: add() every check, then render() once. What it keeps is bounded: counts, and the
// few checks each list shows.
class PublicStatusPage {
 public:
  explicit PublicStatusPage(const PublicStatusView& view);  // view.checks is not read
  void add(const CheckState& check);
  // The time the page is written at (a page built across turns is dated when it is written).
  void setNow(std::int64_t nowMs) { view_.nowMs = nowMs; }
  std::string render() const;

  using Shown = std::pair<const CheckState*, PublicState>;
  struct Group {
    std::size_t checks = 0;
    std::map<PublicState, std::size_t> counts;
    std::vector<RunCount> days;   // 30, oldest first
    std::vector<Shown> first;     // its first checks, listed all when the group is this small
    std::vector<Shown> troubled;  // its first checks that are not operational
  };

 private:
  PublicStatusView view_;
  std::map<std::string, Group, std::less<>> groups_;
  std::vector<Shown> current_;  // "Happening now": the first checks not operational
  std::size_t checks_ = 0, down_ = 0, slow_ = 0, counted_ = 0;
};

// The whole page over view.checks at once.
std::string renderPublicStatus(const PublicStatusView& view);

}  // namespace prober
