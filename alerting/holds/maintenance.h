#pragma once
// When a maintenance window is open: a one-off window from its start for its duration, or a
// recurring one from each start its cron schedule names in its time zone. Starts that fall in a
// daylight-saving gap open at the end of the gap; those in a repeated hour open at the first of
// the two. Pure: the caller says what time it is.
#include <chrono>
#include <optional>

#include "checks/check_spec.h"

namespace prober {

struct OpenWindow {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
};

// The window open at `now` (the one that ends last, when several overlap); nullopt when none.
std::optional<OpenWindow> openWindowAt(const MaintenanceSpec& window,
                                       std::chrono::system_clock::time_point now);

// The first start of the window after `now` (for the status page); nullopt when none comes.
std::optional<std::chrono::system_clock::time_point> nextStartAfter(
    const MaintenanceSpec& window, std::chrono::system_clock::time_point now);

}  // namespace prober
