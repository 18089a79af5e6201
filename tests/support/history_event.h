#pragma once
// A history event for tests, its fields named by position without aggregate initialization
// (which -Wextra flags when fields are left out).
#include <cstdint>
#include <string>

#include "history/history.h"

namespace prober::testing {

inline HistoryEvent historyEvent(std::int64_t atMs, HistoryEvent::Type type, std::string key,
                                 std::string action, std::string notifier = "",
                                 std::string outcome = "", std::string detail = "") {
  HistoryEvent event;
  event.atMs = atMs;
  event.type = type;
  event.check = std::move(key);
  event.action = std::move(action);
  event.notifier = std::move(notifier);
  event.outcome = std::move(outcome);
  event.detail = std::move(detail);
  return event;
}

}  // namespace prober::testing
