#include "prober/engine/check_prober.h"

#include <fmt/format.h>

#include "prober/engine/http_prober.h"

namespace prober {

CheckProbers::CheckProbers(HttpEngine& http, const Clock& clock) {
  add(CheckKind::Http, std::make_unique<HttpProber>(http, clock));
}

CheckProbers::~CheckProbers() = default;

void CheckProbers::run(std::shared_ptr<const CheckSpec> spec, Done done) {
  CheckProber* prober = byKind_[index(spec->kind)].get();
  if (prober != nullptr) {
    return prober->run(std::move(spec), std::move(done));
  }
  // Not reachable from a loaded config (each kind it accepts has a prober); a run that cannot
  // happen still ends, as a failure that says why.
  auto result = std::make_shared<RunResult>();
  result->check = spec->name;
  StepOutcome step;
  step.name = spec->name;
  step.probe.failure = FailureKind::Internal;
  step.probe.failureMessage =
      fmt::format("no prober runs checks of kind {}", checkKindName(spec->kind));
  step.verdict.passed = false;
  step.verdict.reason = FailureReason::Internal;
  step.verdict.failures.push_back(step.probe.failureMessage);
  result->steps.push_back(std::move(step));
  done(std::move(result));
}

void CheckProbers::cancelAll() {
  for (const auto& prober : byKind_) {
    if (prober != nullptr) {
      prober->cancelAll();
    }
  }
}

}  // namespace prober
