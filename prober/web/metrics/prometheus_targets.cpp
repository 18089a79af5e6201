#include "prober/web/metrics/prometheus_targets.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "checks/json_text.h"
#include "prober/web/metrics/metrics.h"
#include "prober/web/server/form.h"
#include "prober/web/server/sliced_body.h"

namespace prober {

void ProbeEndpoint::serve(const ServerRequest& request, Responder respond) {
  std::string error;
  const auto query = parseForm(requestQuery(request), error);
  if (!query) {
    return respond({400, "text/plain; charset=utf-8", fmt::format("bad query: {}\n", error), ""});
  }
  // `target` as blackbox_exporter names it; `check` as the rest of prober does.
  auto given = query->find("target");
  if (given == query->end()) {
    given = query->find("check");
  }
  if (given == query->end() || given->second.empty()) {
    return respond({400, "text/plain; charset=utf-8",
                    "the target parameter is missing: /probe?target=CHECK_NAME\n", ""});
  }
  const auto state = checks_.find(given->second);
  if (!state) {
    return respond({404, "text/plain; charset=utf-8",
                    fmt::format("no check named \"{}\"\n", given->second), ""});
  }
  std::string body;
  renderOneCheck(body, *state);
  respond(scrapeResponse(std::move(body), wantsOpenMetrics(request.accept)));
}

void TargetsEndpoint::serve(const ServerRequest&, Responder respond) {
  // Written a slice of checks at a time, as /metrics is.
  const auto checks = checks_.sharedInOrder();
  ServerResponse response{200, "application/json", "", ""};
  response.stream = jsonArrayInSlices("[", checks->size(), [checks](std::size_t i) {
    const CheckSpec& spec = *(*checks)[i]->spec();
    boost::json::object labels;
    for (const auto& [name, value] : spec.labels) {
      labels[name] = value;
    }
    labels["check"] = spec.name;
    // As written, placeholders and all: ${VAR} values stay secret.
    labels["url"] = spec.displayUrl();
    return toJsonText(
        boost::json::object{{"targets", boost::json::array{boost::json::string(spec.name)}},
                            {"labels", std::move(labels)}});
  }, "]\n");
  respond(std::move(response));
}

}  // namespace prober
