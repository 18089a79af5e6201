#include "prober/web/api/checks_endpoint.h"

#include <charconv>

#include "checks/duration.h"
#include "checks/json_text.h"
#include "prober/web/api/json_views.h"
#include "prober/web/server/form.h"
#include "prober/web/server/sliced_body.h"

namespace prober {

namespace {

ServerResponse jsonError(int status, const std::string& why) {
  return {status, "application/json", toJsonText(boost::json::object{{"error", why}}) + "\n", ""};
}

// GET /api/v1/checks/NAME/history?since=24h&limit=1000 as JSON; 400 for a bad query.
void serveHistory(CheckHistory& history, const std::string& check, const std::string& query,
                  std::int64_t nowMs, Responder respond) {
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
  history.read(
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

// The check as the API shows it, with "uptime": {"24h": 99.93, "7d": ..., "30d": ...} (percent
// of runs passed; null for a window without runs), and "uptime_covers": {"30d": "14d"} for a
// window longer than the history keeps.
boost::json::value checkWithUptime(const CheckState& state, const UptimeSnapshot& uptime) {
  boost::json::value json = checkToJson(state);
  const CheckUptime* counts = uptime.find(state.spec()->name);
  boost::json::object windows;
  boost::json::object covers;  // only windows the retention shortens: {"30d": "14d"}
  for (const UptimeWindow& window : kUptimeWindows) {
    const auto percent = counts ? uptimePercent(counts->*window.count) : std::nullopt;
    windows[window.name] = percent ? boost::json::value(*percent) : boost::json::value(nullptr);
    if (uptime.covered(window) < window.span) {
      covers[window.name] = uptime.coveredName(window);
    }
  }
  json.as_object()["uptime"] = std::move(windows);
  if (!covers.empty()) {
    json.as_object()["uptime_covers"] = std::move(covers);
  }
  return json;
}

}  // namespace

void ChecksEndpoint::serve(const ServerRequest& request, Responder respond) {
  static constexpr std::string_view kList = "/api/v1/checks";
  static constexpr std::string_view kHistory = "/history";
  const std::string path = requestPath(request);
  const auto uptime = uptime_.snapshot();
  if (path == kList) {
    // Written a slice of checks at a time: a million checks are a few hundred megabytes of
    // JSON, never held whole, and the loop runs probes between slices.
    const auto checks = checks_.sharedInOrder();
    ServerResponse response{200, "application/json", "", ""};
    response.stream = jsonArrayInSlices(
        "{\"checks\":[", checks->size(),
        [checks, uptime](std::size_t i) {
          return toJsonText(checkWithUptime(*(*checks)[i], *uptime));
        },
        "]}\n");
    return respond(std::move(response));
  }
  std::string name = path.substr(kList.size() + 1);
  const bool wantsHistory =
      name.size() > kHistory.size() &&
      name.compare(name.size() - kHistory.size(), kHistory.size(), kHistory) == 0;
  if (wantsHistory) {
    name.resize(name.size() - kHistory.size());
  }
  const auto state = checks_.find(name);
  if (!state) {
    return respond({404, "application/json", "{\"error\":\"no such check\"}\n", ""});
  }
  if (wantsHistory) {
    return serveHistory(history_, name, requestQuery(request), nowMs_(), std::move(respond));
  }
  respond({200, "application/json", toJsonText(checkWithUptime(*state, *uptime)) + "\n", ""});
}

}  // namespace prober
