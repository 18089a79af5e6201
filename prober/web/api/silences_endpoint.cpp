#include "prober/web/api/silences_endpoint.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>

#include "checks/json_text.h"

namespace prober {

namespace {

constexpr std::string_view kPath = "/api/v1/silences";

ServerResponse json(int status, const boost::json::value& body) {
  return {status, "application/json", toJsonText(body) + "\n", ""};
}

ServerResponse error(int status, const std::string& message) {
  return json(status, boost::json::object{{"error", message}});
}

}  // namespace

void SilencesEndpoint::serve(const ServerRequest& request, Responder respond) {
  const std::string path = requestPath(request);
  if (request.method == "DELETE") {
    const std::string_view idText = std::string_view(path).substr(kPath.size() + 1);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(idText.data(), idText.data() + idText.size(), id);
    if (ec != std::errc() || end != idText.data() + idText.size() || id <= 0) {
      return respond(error(404, "no silence with that id"));
    }
    std::string problem;
    switch (holds_.remove(id, problem)) {
      case PageHolds::Removal::NotFound: return respond(error(404, "no silence with that id"));
      case PageHolds::Removal::Failed:
        spdlog::error("{}", problem);
        return respond(error(503, "the silence could not be deleted: " + problem));
      case PageHolds::Removal::Removed: break;
    }
    spdlog::info("silence {} deleted", id);
    holdsChanged_();
    return respond({204, "", "", ""});
  }
  if (path != kPath) {
    return respond(error(404, "no silence with that id"));
  }
  if (request.method == "POST") {
    std::string problem;
    auto silence = silenceFromRequest(request.body, now_(), problem);
    if (!silence) {
      return respond(error(400, problem));
    }
    auto added = holds_.add(std::move(*silence), problem);
    if (!added) {
      spdlog::error("{}", problem);
      return respond(error(503, "the silence could not be stored: " + problem));
    }
    spdlog::info("silence {} added by {} until {}: {}", added->id,
                 added->createdBy.empty() ? "someone" : added->createdBy, rfc3339Utc(added->endsAt),
                 added->comment);
    return respond(json(201, toJson(*added)));
  }
  boost::json::array silences;
  for (const Silence& silence : holds_.silences(now_())) {
    silences.push_back(toJson(silence));
  }
  respond(json(200, boost::json::object{{"silences", std::move(silences)}}));
}

}  // namespace prober
