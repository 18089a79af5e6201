#pragma once
// Each check a Prometheus target of its own, the way blackbox_exporter is scraped:
// GET /api/v1/targets lists the checks for http_sd_configs, and GET /probe?target=NAME answers
// one check's latest series without the `check` label (the target's `instance` names it).
// /probe reads what the last run recorded; it never runs a probe.
#include "prober/runtime/check_set.h"
#include "prober/web/server/router.h"

namespace prober {

class ProbeEndpoint final : public Endpoint {
 public:
  explicit ProbeEndpoint(const CheckSet& checks) : checks_(checks) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const CheckSet& checks_;
};

class TargetsEndpoint final : public Endpoint {
 public:
  explicit TargetsEndpoint(const CheckSet& checks) : checks_(checks) {}
  void serve(const ServerRequest& request, Responder respond) override;

 private:
  const CheckSet& checks_;
};

}  // namespace prober
