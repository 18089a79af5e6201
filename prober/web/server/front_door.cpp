#include "prober/web/server/front_door.h"

namespace prober {

void FrontDoor::serve(const ServerRequest& request, Responder respond) {
  const std::string path = requestPath(request);
  if (path == "/healthz" || path == "/-/healthy") {
    return router_.route(request, std::move(respond));
  }
  if (path != "/slack/command") {
    if (auto refused = guard_.refusal(request)) {
      return respond(std::move(*refused));
    }
  }
  if (beforeRouting_) {
    beforeRouting_();
  }
  const auto answered = [this, request, path](Responder answer) {
    if (!auth_.enabled() || path == "/slack/command") {
      return router_.route(request, std::move(answer));
    }
    auth_.check(request, [this, request, answer = std::move(answer)](AuthDecision decision) {
      switch (decision) {
        case AuthDecision::Busy: return answer(BasicAuth::busy());
        case AuthDecision::Refused: return answer(BasicAuth::challenge());
        case AuthDecision::Allowed: return router_.route(request, answer);
      }
    });
  };
  if (path == "/-/reload") {
    return answered(std::move(respond));
  }
  deadline_.serve(answered, std::move(respond));
}

}  // namespace prober
