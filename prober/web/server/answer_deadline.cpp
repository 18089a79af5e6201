#include "prober/web/server/answer_deadline.h"

#include <fmt/format.h>

#include "checks/duration.h"

namespace prober {

namespace {

// One request's answer: whichever comes first, the endpoint's or the deadline's, is sent.
struct Pending {
  Responder respond;
  bool answered = false;
  std::unique_ptr<Timer> timer;  // armed only when the answer did not come at once

  void answer(ServerResponse response) {
    if (answered) {
      return;
    }
    answered = true;
    if (timer) {
      timer->cancel();
    }
    Responder out = std::move(respond);
    out(std::move(response));
  }
};

}  // namespace

void AnswerDeadline::serve(const std::function<void(Responder)>& serve, Responder respond) const {
  auto pending = std::make_shared<Pending>();
  pending->respond = std::move(respond);
  serve([pending](ServerResponse response) { pending->answer(std::move(response)); });
  if (pending->answered) {
    return;
  }
  pending->timer = newTimer_();
  const auto limit = std::chrono::duration_cast<Millis>(limit_);
  // The timer holds the request weakly: an endpoint that let go of its responder (at shutdown)
  // takes the timer with it.
  pending->timer->armAt(clock_.now() + limit_, [weak = std::weak_ptr<Pending>(pending), limit] {
    if (const auto waiting = weak.lock()) {
      ServerResponse response{
          503, "text/plain; charset=utf-8",
          fmt::format("no answer within {}: the daemon is behind (checking passwords or reading "
                      "the history); try again shortly\n",
                      formatDuration(limit)),
          ""};
      response.headers.emplace_back("Retry-After", "5");
      waiting->answer(std::move(response));
    }
  });
}

}  // namespace prober
