#pragma once
// The promises, judged after a run from the schedule (what the config and the holds said) and
// the record (what the fakes saw); docs/simulation.md says each in full:
//  1. no second trigger while one is open at a receiver, no resolve with nothing open (a retried
//     request, the same body again, counts once);
//  2. every trigger a receiver took is resolved by the end, unless its check left this shard
//     (a check removed from the config is resolved);
//  3. no resolve is decided while the check's last run failed, nor for a check that left this
//     shard (its new owner resolves it);
//  4. no trigger fired, and no reminder sent, inside an explicit hold (silence, Slack mute,
//     maintenance window) covering the check, nor while its depends_on parent surely fires;
//  5. a check that failed failure_threshold runs in a row, with no hold, no parent that may fire,
//     nothing dropped by the receiver in the way, has its trigger decided and taken at every
//     destination it pages (decided by when the request says, as it may wait behind others);
//     and a trigger goes out when it was decided unless something was queued before it;
//  6. a refused request (3xx, a 4xx that may pass once fixed) is given up after an hour, never
//     sooner;
//  7. a config with an error is refused;
//  8. no reminder goes out sooner than one `renotify` after a restart;
//  9. what the API (and so the pages) shows of a check's holds is what holds: silenced inside
//     a silence, mute or maintenance window covering it, not silenced outside every one.
// Where a promise depends on details the oracle cannot judge exactly (streaks across restarts
// and reloads, hold boundaries), it asks for less, never more.
#include <cstdint>
#include <string>
#include <vector>

#include "tests/simulation/record.h"
#include "tests/simulation/schedule.h"

namespace prober::simulation {

struct Violation {
  std::int64_t at;    // simulated ms
  std::string check;  // "" for none
  std::string promise;
  std::string text;
};

std::vector<Violation> judge(const Schedule& schedule, const Record& record);

}  // namespace prober::simulation
