#include "prober/web/page_endpoints.h"

#include "prober/web/status_page.h"

namespace prober {

void StatusPageEndpoint::serve(const ServerRequest&, Responder respond) {
  std::vector<const CheckState*> snapshot;
  snapshot.reserve(checks_.size());
  for (const auto& state : checks_.inOrder()) {
    snapshot.push_back(state.get());
  }
  respond({200, "text/html; charset=utf-8", renderStatusPage(snapshot, location_), ""});
}

void CheckPageEndpoint::serve(const ServerRequest& request, Responder respond) {
  static constexpr std::string_view kPrefix = "/checks/";
  const std::string name = requestPath(request).substr(kPrefix.size());
  if (!checks_.find(name)) {
    return respond({404, "text/plain; charset=utf-8", "no such check\n", ""});
  }
  const std::int64_t now = nowMs_();
  const std::int64_t since = now - 24LL * 3600 * 1000;
  history_.read(
      name, since, now, 100'000,
      [this, name, since, now, respond = std::move(respond)](
          std::vector<RunRecord> runs, std::vector<HistoryEvent> events, const std::string& error) {
        const auto state = checks_.find(name);  // a reload meanwhile may have removed it
        if (!state) {
          return respond({404, "text/plain; charset=utf-8", "no such check\n", ""});
        }
        if (!error.empty()) {
          return respond({500, "text/plain; charset=utf-8", "history unavailable\n", ""});
        }
        respond({200, "text/html; charset=utf-8", renderCheckPage(*state, since, now, runs, events),
                 ""});
      });
}

}  // namespace prober
