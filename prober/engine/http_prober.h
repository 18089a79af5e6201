#pragma once
// The HTTP kind of check: its steps in order on the HTTP engine, each judged by its assertions,
// stopping at the first failed step, handing back one immutable RunResult. The first
// CheckProber (check_prober.h).
#include <memory>

#include "checks/check_spec.h"
#include "checks/clock.h"
#include "checks/run_result.h"
#include "prober/engine/check_prober.h"
#include "prober/engine/http_engine.h"

namespace prober {

class HttpProber final : public CheckProber {
 public:
  // `engine` and `clock` outlive the prober.
  HttpProber(HttpEngine& engine, const Clock& clock) : engine_(engine), clock_(clock) {}

  void run(std::shared_ptr<const CheckSpec> spec, Done done) override;
  void cancelAll() override { engine_.cancelAll(); }

 private:
  HttpEngine& engine_;
  const Clock& clock_;
};

}  // namespace prober
