#pragma once
// A deadline on every answer that does not come at once: a request waiting for its password to
// be checked, or for the history thread (a check's page, its history), is answered 503 when
// its endpoint has not answered in time, and the endpoint's late answer is dropped. A stalled
// disk or a queue of password checks then costs a client a prompt error, never a connection
// held open for minutes.
#include <functional>
#include <memory>
#include <string>

#include "checks/clock.h"
#include "prober/web/server/http_server.h"

namespace prober {

class AnswerDeadline {
 public:
  AnswerDeadline(const Clock& clock, std::function<std::unique_ptr<Timer>()> newTimer,
                 SteadyDuration limit)
      : clock_(clock), newTimer_(std::move(newTimer)), limit_(limit) {}

  // Calls `serve` with a responder that answers through `respond`; when `serve` did not answer
  // before it returned, a timer is armed (only then: most answers come at once) and answers 503
  // at the deadline.
  void serve(const std::function<void(Responder)>& serve, Responder respond) const;

  SteadyDuration limit() const { return limit_; }

 private:
  const Clock& clock_;
  std::function<std::unique_ptr<Timer>()> newTimer_;
  SteadyDuration limit_;
};

}  // namespace prober
