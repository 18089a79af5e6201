#pragma once
// Runs one check once: its steps in order on the engine, each judged by its assertions,
// stopping at the first failed step, and hands back one immutable RunResult.
#include <functional>
#include <memory>

#include "checks/check_spec.h"
#include "checks/clock.h"
#include "checks/run_result.h"
#include "prober/engine/http_engine.h"

namespace prober {

// `done` runs on the loop once the run ends. The spec is kept alive by the run itself, so a
// reload that drops the check while it runs is safe.
void runCheck(HttpEngine& engine, const Clock& clock, std::shared_ptr<const CheckSpec> spec,
              std::function<void(RunResultPtr)> done);

}  // namespace prober
