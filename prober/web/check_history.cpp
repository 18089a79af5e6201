#include "prober/web/check_history.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <memory>

#include "checks/duration.h"
#include "checks/json_text.h"
#include "prober/web/api.h"
#include "prober/web/form.h"

namespace prober {

namespace {

ServerResponse jsonError(int status, const std::string& why) {
  return {status, "application/json", toJsonText(boost::json::object{{"error", why}}) + "\n", ""};
}

}  // namespace

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

void CheckHistory::serveApi(const std::string& check, const std::string& query, std::int64_t nowMs,
                            Responder respond) {
  std::string error;
  const auto params = parseForm(query, error, 4096);
  if (!params) {
    return respond(jsonError(400, "malformed query: " + error));
  }
  std::int64_t since = nowMs - 24LL * 3600 * 1000;
  std::size_t limit = 1000;
  for (const auto& [key, value] : *params) {
    if (key == "since") {
      const auto ago = parseDuration(value);
      if (!ago) {
        return respond(
            jsonError(400, "since must be a duration like \"90m\" or \"24h\" (how far back)"));
      }
      since = nowMs - ago->count();
    } else if (key == "limit") {
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n == 0 || n > 10'000) {
        return respond(jsonError(400, "limit must be a number of runs from 1 to 10000"));
      }
      limit = n;
    } else {
      return respond(jsonError(400, "unknown parameter " + key + " (since, limit)"));
    }
  }
  read(
      check, since, nowMs, limit,
      [check, since, respond = std::move(respond)](
          std::vector<RunRecord> runs, std::vector<HistoryEvent> events, const std::string& error) {
        if (!error.empty()) {
          return respond(jsonError(500, error));
        }
        respond({200, "application/json",
                 toJsonText(historyToJson(check, since, runs, events)) + "\n", ""});
      });
}

}  // namespace prober
