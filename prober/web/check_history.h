#pragma once
// A check's recorded runs and events, read on the history thread once what was recorded before
// is written (the loop never waits for the disk), handed back on the loop. Serves the history
// API (GET /api/v1/checks/NAME/history) and the check page.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/clock.h"
#include "history/history.h"

namespace prober {

class CheckHistory {
 public:
  using Answer = std::function<void(std::vector<RunRecord> runs, std::vector<HistoryEvent> events,
                                    const std::string& error)>;

  CheckHistory(HistoryWriter& writer, HistoryReader& reader, PostToLoop post)
      : writer_(writer), reader_(reader), post_(std::move(post)) {}

  // The check's runs in [since, now] (the newest `limit`) and its alert and delivery events;
  // `error` (also logged) when they cannot be read.
  void read(const std::string& check, std::int64_t sinceMs, std::int64_t nowMs, std::size_t limit,
            Answer answer);

  // The same plus the check's runs per hour since `hoursSinceMs`, for its page.
  using PageAnswer =
      std::function<void(std::vector<RunRecord> runs, std::vector<HistoryEvent> events,
                         std::vector<RunCount> hours, const std::string& error)>;
  void readForPage(const std::string& check, std::int64_t sinceMs, std::int64_t nowMs,
                   std::int64_t hoursSinceMs, PageAnswer answer);

 private:
  // A day of 1-second runs.
  static constexpr std::size_t kPageRunLimit = 86'400;
  void readRecords(const std::string& check, std::int64_t sinceMs, std::int64_t nowMs,
                   std::size_t limit, std::optional<std::int64_t> hoursSinceMs, PageAnswer answer);

  HistoryWriter& writer_;
  HistoryReader& reader_;
  PostToLoop post_;
};

}  // namespace prober
