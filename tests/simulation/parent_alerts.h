#pragma once
// What the oracle can be sure of about a `depends_on` parent's alert from the parent's runs
// alone: when it surely fires (so its children's pages are held) and when it surely does not
// (so a child failing past its threshold must page). Between the two the oracle judges nothing.
// Streaks are counted within one epoch (between two restarts or reloads), never across: the
// daemon may carry them over, which only makes it fire or resolve sooner than read here.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/simulation/record.h"
#include "tests/simulation/schedule.h"

namespace prober::simulation {

class ParentAlerts {
 public:
  ParentAlerts(const Schedule& schedule, const Record& record);

  // Whether the parent's alert surely fires all through [from, to]: a run brought its failures
  // in a row (this epoch) to its threshold before `from`, no run of it passed since until after
  // `to`, and no restart or reload came between. A parent with page = "quorum" is never sure.
  bool surelyFiring(const std::string& parent, std::int64_t from, std::int64_t to) const;
  // Whether the parent's alert surely does not fire at `at`: its last `success_threshold`
  // runs of this epoch passed before `at` and none failed since.
  bool surelyQuiet(const std::string& parent, std::int64_t at) const;

 private:
  std::size_t epochOf(std::int64_t at) const;
  const CheckConfig* parentAt(const std::string& parent, std::int64_t at) const;

  const Schedule& schedule_;
  const Record& record_;
  std::vector<std::int64_t> epochs_;  // restarts, reloads and kills, in time order
  std::map<std::string, std::vector<const Observation*>> runs_;  // by check, in time order
};

}  // namespace prober::simulation
