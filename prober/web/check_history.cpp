#include "prober/web/check_history.h"

#include <spdlog/spdlog.h>

#include <memory>

namespace prober {

void CheckHistory::read(const std::string& check, std::int64_t sinceMs, std::int64_t nowMs,
                        std::size_t limit, Answer answer) {
  readRecords(
      check, sinceMs, nowMs, limit, std::nullopt,
      [answer = std::move(answer)](std::vector<RunRecord> runs, std::vector<HistoryEvent> events,
                                   std::vector<RunCount>, const std::string& error) {
        answer(std::move(runs), std::move(events), error);
      });
}

void CheckHistory::readForPage(const std::string& check, std::int64_t sinceMs, std::int64_t nowMs,
                               std::int64_t hoursSinceMs, PageAnswer answer) {
  readRecords(check, sinceMs, nowMs, kPageRunLimit, hoursSinceMs, std::move(answer));
}

void CheckHistory::readRecords(const std::string& check, std::int64_t sinceMs, std::int64_t nowMs,
                               std::size_t limit, std::optional<std::int64_t> hoursSinceMs,
                               PageAnswer answer) {
  auto answered = std::make_shared<PageAnswer>(std::move(answer));
  const bool queued = writer_.runReadAfterWrites(
      [this, check, sinceMs, nowMs, limit, hoursSinceMs, answered]() mutable {
        std::string error;
        auto runs = reader_.runs(check, sinceMs, nowMs + 1, limit, error);
        auto events = reader_.events({check}, sinceMs, nowMs + 1, error);
        std::vector<RunCount> hours;
        if (hoursSinceMs) {
          hours = reader_.hourlyCounts(check, *hoursSinceMs, nowMs, error);
        }
        if (!error.empty()) {
          spdlog::error("{}", error);
        }
        std::erase_if(events, [](const HistoryEvent& e) {
          return e.type == HistoryEvent::Type::SlashCommand;  // not about this check
        });
        // Moved into the answer: the responder is destroyed on the loop, not on this thread.
        post_([answered = std::move(answered), runs = std::move(runs), events = std::move(events),
               hours = std::move(hours), error = std::move(error)]() mutable {
          (*answered)(std::move(runs), std::move(events), std::move(hours), error);
        });
      });
  if (!queued) {  // a flood of reads: this one is refused rather than queued without bound
    (*answered)({}, {}, {}, "the history is busy (too many reads waiting); try again");
  }
}

}  // namespace prober
