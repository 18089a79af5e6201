#pragma once
// What a kill while the alert store refused writes lost (a documented limit: the writes waiting
// in memory die with the process), read from the record for the oracle: when the daemon decided
// what it no longer knows after the restart, and which requests it sent again from the store.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/simulation/record_reading.h"

namespace prober::simulation {

class LostWrites {
 public:
  using Span = WallTimeReading::Span;
  using Chains = std::map<std::pair<std::string, std::string>, std::vector<Chain>>;

  // For each kill while state writes waited in memory (/healthz said so): from when the disk
  // last began refusing to the kill.
  explicit LostWrites(const RecordReading& reading);

  // The lost span in which the request may have been decided, if any.
  std::optional<Span> decidedIn(const Chain& chain) const;
  // The lost span `at` falls in, if any.
  std::optional<Span> spanOf(std::int64_t at) const;
  // After such a kill the restarted daemon sends again, from the store and in their order, the
  // requests it had queued before and was told were done while the disk refused (the marks
  // that they went out died with the process). Retries, not new requests: removed from `all`
  // while what follows the restart repeats them.
  void readPastReplays(Chains& all) const;

 private:
  const RecordReading& reading_;
  std::vector<Span> spans_;
};

}  // namespace prober::simulation
