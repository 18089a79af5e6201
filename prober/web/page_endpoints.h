#pragma once
// The HTML pages: GET / (every check at a glance) and GET /checks/NAME (one check, with its
// last day of history read off the loop).
#include <cstdint>
#include <functional>

#include "prober/runtime/check_set.h"
#include "prober/web/check_history.h"
#include "prober/web/router.h"

namespace prober {

class StatusPageEndpoint final : public Endpoint {
 public:
  explicit StatusPageEndpoint(const CheckSet& checks) : checks_(checks) {}
  void serve(const ServerRequest& request, Responder respond) override;
  void setLocation(std::string location) { location_ = std::move(location); }

 private:
  const CheckSet& checks_;
  std::string location_;
};

class CheckPageEndpoint final : public Endpoint {
 public:
  CheckPageEndpoint(const CheckSet& checks, CheckHistory& history,
                    std::function<std::int64_t()> nowMs)
      : checks_(checks), history_(history), nowMs_(std::move(nowMs)) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const CheckSet& checks_;
  CheckHistory& history_;
  std::function<std::int64_t()> nowMs_;
};

}  // namespace prober
