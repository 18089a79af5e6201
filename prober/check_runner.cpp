#include "prober/check_runner.h"

#include <algorithm>

namespace prober {
namespace {

struct Run : std::enable_shared_from_this<Run> {
  HttpEngine& engine;
  const Clock& clock;
  std::shared_ptr<const CheckSpec> spec;
  std::function<void(RunResultPtr)> done;
  std::shared_ptr<RunResult> result = std::make_shared<RunResult>();
  SteadyTime started;

  Run(HttpEngine& e, const Clock& c, std::shared_ptr<const CheckSpec> s,
      std::function<void(RunResultPtr)> d)
      : engine(e), clock(c), spec(std::move(s)), done(std::move(d)) {}

  void start() {
    result->check = spec->name;
    result->startedAt = clock.wallNow();
    started = clock.now();
    runStep(0);
  }

  void runStep(std::size_t index) {
    const StepSpec& step = spec->steps[index];
    // The check's timeout bounds the whole run; each step gets what is left of it.
    const auto elapsed = std::chrono::duration_cast<Millis>(clock.now() - started);
    const Millis budget = std::max(Millis(1), spec->timeout - elapsed);
    engine.probe(step, budget, [self = shared_from_this(), index](ProbeResult probe) {
      self->stepDone(index, std::move(probe));
    });
  }

  void stepDone(std::size_t index, ProbeResult probe) {
    const StepSpec& step = spec->steps[index];
    Verdict verdict = judge(step, probe, clock.wallNow());
    // Judged: the body and headers are not kept (a last result per check stays small at
    // 100,000 checks); sizes and the announced Content-Length are.
    probe.body.clear();
    probe.body.shrink_to_fit();
    probe.headers.clear();
    probe.headers.shrink_to_fit();
    const bool passed = verdict.passed;
    result->steps.push_back(StepOutcome{step.name, std::move(probe), std::move(verdict)});
    if (passed && index + 1 < spec->steps.size()) {
      runStep(index + 1);
      return;
    }
    result->passed = passed;
    result->durationSeconds = std::chrono::duration<double>(clock.now() - started).count();
    done(std::move(result));
  }
};

}  // namespace

void runCheck(HttpEngine& engine, const Clock& clock, std::shared_ptr<const CheckSpec> spec,
              std::function<void(RunResultPtr)> done) {
  auto run = std::make_shared<Run>(engine, clock, std::move(spec), std::move(done));
  run->start();
}

}  // namespace prober
