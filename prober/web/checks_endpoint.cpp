#include "prober/web/checks_endpoint.h"

#include "checks/json_text.h"
#include "prober/web/api.h"

namespace prober {

void ChecksEndpoint::serve(const ServerRequest& request, Responder respond) {
  static constexpr std::string_view kList = "/api/v1/checks";
  static constexpr std::string_view kHistory = "/history";
  const std::string path = requestPath(request);
  const auto uptime = uptime_.snapshot();
  // The check as the API shows it, with "uptime": {"24h": 99.93, "7d": ..., "30d": ...}
  // (percent of runs passed; null for a window without runs), and "uptime_covers": {"30d":
  // "14d"} for a window longer than the history keeps.
  const auto withUptime = [&](const CheckState& state) {
    boost::json::value json = checkToJson(state);
    const CheckUptime* counts = uptime->find(state.spec()->name);
    boost::json::object windows;
    boost::json::object covers;  // only windows the retention shortens: {"30d": "14d"}
    for (const UptimeWindow& window : kUptimeWindows) {
      const auto percent = counts ? uptimePercent(counts->*window.count) : std::nullopt;
      windows[window.name] = percent ? boost::json::value(*percent) : boost::json::value(nullptr);
      if (uptime->covered(window) < window.span) {
        covers[window.name] = uptime->coveredName(window);
      }
    }
    json.as_object()["uptime"] = std::move(windows);
    if (!covers.empty()) {
      json.as_object()["uptime_covers"] = std::move(covers);
    }
    return json;
  };
  if (path == kList) {
    boost::json::array checks;
    for (const auto& state : checks_.inOrder()) {
      checks.push_back(withUptime(*state));
    }
    return respond({200, "application/json",
                    toJsonText(boost::json::object{{"checks", std::move(checks)}}) + "\n", ""});
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
    return history_.serveApi(name, requestQuery(request), nowMs_(), std::move(respond));
  }
  respond({200, "application/json", toJsonText(withUptime(*state)) + "\n", ""});
}

}  // namespace prober
