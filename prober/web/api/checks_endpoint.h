#pragma once
// The checks API: GET /api/v1/checks (every check, config order), /api/v1/checks/NAME (one)
// and /api/v1/checks/NAME/history (its recorded runs and events).
#include <cstdint>
#include <functional>

#include "prober/runtime/check_set.h"
#include "prober/web/check_history.h"
#include "prober/web/server/router.h"
#include "prober/web/uptime.h"

namespace prober {

class ChecksEndpoint final : public Endpoint {
 public:
  ChecksEndpoint(const CheckSet& checks, CheckHistory& history, const UptimeCache& uptime,
                 std::function<std::int64_t()> nowMs)
      : checks_(checks), history_(history), uptime_(uptime), nowMs_(std::move(nowMs)) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const CheckSet& checks_;
  CheckHistory& history_;
  const UptimeCache& uptime_;
  std::function<std::int64_t()> nowMs_;
};

}  // namespace prober
