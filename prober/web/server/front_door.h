#pragma once
// Every request's way in, in order. The health checks answer anyone (load balancers and
// container runtimes, by any name). Slack's command proves itself by its signature instead of
// a user, and Slack names the daemon by its public name: the guard against browsers has
// nothing to add to it. Every other request passes the guard, then (with [web]
// basic_auth_users) needs a user, and gets an answer within the deadline; a reload, whose wait
// is the reload's own, goes without it.
#include <functional>

#include "prober/web/server/answer_deadline.h"
#include "prober/web/server/basic_auth.h"
#include "prober/web/server/http_server.h"
#include "prober/web/server/request_guard.h"
#include "prober/web/server/router.h"

namespace prober {

class FrontDoor {
 public:
  // `beforeRouting` runs before any request past the guard is routed (the daemon brings what
  // the pages read up to date).
  FrontDoor(const Router& router, const RequestGuard& guard, BasicAuth& auth,
            const AnswerDeadline& deadline, std::function<void()> beforeRouting)
      : router_(router),
        guard_(guard),
        auth_(auth),
        deadline_(deadline),
        beforeRouting_(std::move(beforeRouting)) {}

  void serve(const ServerRequest& request, Responder respond);

 private:
  const Router& router_;
  const RequestGuard& guard_;
  BasicAuth& auth_;
  const AnswerDeadline& deadline_;
  std::function<void()> beforeRouting_;
};

}  // namespace prober
