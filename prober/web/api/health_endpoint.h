#pragma once
// GET /healthz (readiness): 200 "ok" while the daemon runs and its state store keeps up; 503
// with the reason while state writes wait for the disk or the daemon is stopping.
// GET /-/healthy (liveness): 200 whenever the event loop answers at all, so a container runtime
// restarts a daemon that hangs, not one that waits for its disk.
#include <fmt/format.h>

#include <functional>

#include "alerting/alerter.h"
#include "prober/web/server/router.h"

namespace prober {

class HealthEndpoint final : public Endpoint {
 public:
  HealthEndpoint(const Alerter& alerter, std::function<bool()> stopping)
      : alerter_(alerter), stopping_(std::move(stopping)) {}

  void serve(const ServerRequest&, Responder respond) override {
    if (alerter_.pendingStateWrites() > 0) {
      respond({503, "text/plain; charset=utf-8",
               fmt::format("state store behind: {} write(s) waiting: {}\n",
                           alerter_.pendingStateWrites(), alerter_.lastStateWriteError()),
               ""});
      return;
    }
    respond(stopping_() ? ServerResponse{503, "text/plain; charset=utf-8", "stopping\n", ""}
                        : ServerResponse{200, "text/plain; charset=utf-8", "ok\n", ""});
  }

 private:
  const Alerter& alerter_;
  std::function<bool()> stopping_;
};

class LivenessEndpoint final : public Endpoint {
 public:
  void serve(const ServerRequest&, Responder respond) override {
    respond({200, "text/plain; charset=utf-8", "ok\n", ""});
  }
};

}  // namespace prober
