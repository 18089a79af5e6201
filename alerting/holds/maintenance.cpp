#include "alerting/holds/maintenance.h"

#include <date/tz.h>

namespace prober {

namespace {

// Starts looked at before giving up: a schedule firing every minute with a day-long duration
// has 1,440 starts that cover one moment.
constexpr int kMaxStartsExamined = 10'000;

const date::time_zone* zoneOf(const MaintenanceSpec& window) {
  try {
    return date::locate_zone(window.timezone);
  } catch (const std::exception&) {
    return nullptr;  // checked at load; a tz database changed since then covers nothing
  }
}

// The schedule's starts at or after `from`, in order, as UTC instants: `visit` returns false to
// stop.
template <typename Visit>
void eachStart(const MaintenanceSpec& window, std::chrono::system_clock::time_point from,
               Visit visit) {
  const date::time_zone* zone = zoneOf(window);
  if (zone == nullptr || !window.schedule) {
    return;
  }
  // An hour early: a start just before `from` in a daylight-saving change is not missed.
  auto local = zone->to_local(date::floor<std::chrono::seconds>(from) - std::chrono::hours(1));
  for (int i = 0; i < kMaxStartsExamined; ++i) {
    const auto next = window.schedule->nextAtOrAfter(local);
    if (!next) {
      return;
    }
    // In a gap, earliest and latest are both the instant the gap ends; in a repeated hour,
    // earliest is the first pass.
    const auto start = zone->to_sys(*next, date::choose::earliest);
    if (start >= from && !visit(start)) {
      return;
    }
    local = *next + std::chrono::minutes(1);
  }
}

}  // namespace

std::optional<OpenWindow> openWindowAt(const MaintenanceSpec& window,
                                       std::chrono::system_clock::time_point now) {
  if (window.start) {
    if (*window.start <= now && now < *window.start + window.duration) {
      return OpenWindow{*window.start, *window.start + window.duration};
    }
    return std::nullopt;
  }
  std::optional<OpenWindow> open;
  eachStart(window, now - window.duration, [&](std::chrono::system_clock::time_point start) {
    if (start > now) {
      return false;
    }
    if (now < start + window.duration) {
      open = OpenWindow{start, start + window.duration};  // later starts end later
    }
    return true;
  });
  return open;
}

std::optional<std::chrono::system_clock::time_point> nextStartAfter(
    const MaintenanceSpec& window, std::chrono::system_clock::time_point now) {
  if (window.start) {
    return *window.start > now ? window.start : std::nullopt;
  }
  std::optional<std::chrono::system_clock::time_point> next;
  eachStart(window, now + std::chrono::seconds(1), [&](std::chrono::system_clock::time_point at) {
    next = at;
    return false;
  });
  return next;
}

}  // namespace prober
