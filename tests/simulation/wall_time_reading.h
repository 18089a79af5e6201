#pragma once
// Wall time read back: the record says when the wall clock stepped, so a wall time (a hold's
// edge, the time a request carries) maps to the steady times at which the clock read it. A
// clock stepped back reads some times twice; one stepped forward skips some.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "tests/simulation/record.h"

namespace prober::simulation {

struct WallTimeReading {
  explicit WallTimeReading(const Record& record) : record(record) {}

  const Record& record;

  // An interval of steady time, [from, to).
  struct Span {
    std::int64_t from;
    std::int64_t to;
  };

  // When, within [steadyFrom, steadyTo), the wall clock read within [wallFrom, wallTo): one
  // span per stretch between two steps (a clock stepped back reads some times twice), those
  // that meet joined.
  std::vector<Span> whileWallIn(std::int64_t wallFrom, std::int64_t wallTo, std::int64_t steadyFrom,
                                std::int64_t steadyTo) const {
    std::vector<Span> out;
    for (std::size_t k = 0; k <= record.wallSteps.size(); ++k) {
      const std::int64_t segmentFrom = k == 0 ? 0 : record.wallSteps[k - 1].at;
      const std::int64_t segmentTo =
          k == record.wallSteps.size() ? INT64_MAX : record.wallSteps[k].at;
      const std::int64_t offset = k == 0 ? 0 : record.wallSteps[k - 1].offsetMs;
      // wall = wallStartMs + t + offset on this stretch
      const std::int64_t base = record.wallStartMs + offset;
      const std::int64_t from = std::max({segmentFrom, steadyFrom, wallFrom - base});
      const std::int64_t to =
          std::min({segmentTo, steadyTo, wallTo >= INT64_MAX - base ? INT64_MAX : wallTo - base});
      if (from >= to) {
        continue;
      }
      if (!out.empty() && out.back().to == from) {
        out.back().to = to;
      } else {
        out.push_back(Span{from, to});
      }
    }
    return out;
  }

  // When the wall clock read `wall`, at or before steady time `before`: the earliest and the
  // latest such time (they differ when a step back made it read `wall` twice). A time a step
  // forward skipped maps to the step. When nothing at or before `before` did, the first time
  // after it.
  struct Between {
    std::int64_t earliest;
    std::int64_t latest;
  };
  Between steadyOf(std::int64_t wall, std::int64_t before = INT64_MAX) const {
    std::vector<std::int64_t> times;
    std::int64_t previousEnd = INT64_MIN;  // the wall the stretch before ended at
    for (std::size_t k = 0; k <= record.wallSteps.size(); ++k) {
      const std::int64_t segmentFrom = k == 0 ? 0 : record.wallSteps[k - 1].at;
      const std::int64_t segmentTo =
          k == record.wallSteps.size() ? INT64_MAX / 4 : record.wallSteps[k].at;
      const std::int64_t offset = k == 0 ? 0 : record.wallSteps[k - 1].offsetMs;
      const std::int64_t at = wall - record.wallStartMs - offset;
      const std::int64_t wallFrom = record.wallStartMs + segmentFrom + offset;
      if (segmentFrom <= at && at < segmentTo) {
        times.push_back(at);
      } else if (previousEnd <= wall && wall < wallFrom) {
        times.push_back(segmentFrom);  // skipped by a step forward
      }
      previousEnd = record.wallStartMs + segmentTo + offset;
    }
    std::sort(times.begin(), times.end());
    std::optional<Between> found;
    for (const std::int64_t t : times) {
      if (t <= before) {
        found = found ? Between{found->earliest, t} : Between{t, t};
      }
    }
    if (found) {
      return *found;
    }
    const std::int64_t after = times.empty() ? wall - record.wallStartMs : times.front();
    return Between{after, after};
  }
};

}  // namespace prober::simulation
