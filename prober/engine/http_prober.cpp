#include "prober/engine/http_prober.h"

#include <fmt/format.h>
#include <algorithm>

#include "checks/template.h"

namespace prober {
namespace {

// The step with its {{placeholders}} filled in. False (with `problem` set) when a value would
// break the request: a line break in a header, or a url that stops being one.
bool fillStep(const StepSpec& step, const Variables& variables, StepSpec& filled,
              std::string& problem) {
  filled = step;
  filled.url = fillPlaceholders(step.url, variables, Escape::None);
  if (filled.url.find_first_of(" \t\r\n") != std::string::npos) {
    problem = fmt::format("url {} holds white space once its placeholders are filled in",
                          step.displayUrl());
    return false;
  }
  StepContent content = *step.content;
  for (auto& [name, value] : content.headers) {
    value = fillPlaceholders(value, variables, Escape::None);
    if (value.find_first_of("\r\n") != std::string::npos) {
      problem =
          fmt::format("header {} holds a line break once its placeholders are filled in", name);
      return false;
    }
  }
  for (auto& [name, value] : content.query) {
    value = fillPlaceholders(value, variables, Escape::None);  // encoded when sent
  }
  for (auto& [name, value] : content.form) {
    value = fillPlaceholders(value, variables, Escape::None);
  }
  if (!step.connection->bearerToken.empty()) {
    StepConnection connection = *step.connection;
    connection.bearerToken = fillPlaceholders(connection.bearerToken, variables, Escape::None);
    if (connection.bearerToken.find_first_of("\r\n") != std::string::npos) {
      problem = "bearer_token holds a line break once its placeholders are filled in";
      return false;
    }
    filled.connection = SharedValue<StepConnection>(std::move(connection));
  }
  content.body = fillPlaceholders(content.body, variables,
                                  content.bodyIsJson ? Escape::JsonString : Escape::None);
  filled.content = SharedValue<StepContent>(std::move(content));
  return true;
}

struct Run : std::enable_shared_from_this<Run> {
  HttpEngine& engine;
  const Clock& clock;
  std::shared_ptr<const CheckSpec> spec;
  std::function<void(RunResultPtr)> done;
  std::shared_ptr<RunResult> result = std::make_shared<RunResult>();
  SteadyTime started;
  Variables variables;  // built-ins, then what each step extracts, for later steps

  Run(HttpEngine& e, const Clock& c, std::shared_ptr<const CheckSpec> s,
      std::function<void(RunResultPtr)> d)
      : engine(e), clock(c), spec(std::move(s)), done(std::move(d)) {}

  void start() {
    result->check = spec->name;
    result->multiStep = spec->steps.size() > 1;
    result->startedAt = clock.wallNow();
    started = clock.now();
    if (usesVariables()) {
      setBuiltinVariables(variables, result->startedAt);
    }
    runStep(0);
  }

  bool usesVariables() const {
    return std::any_of(spec->steps.begin(), spec->steps.end(), [](const StepSpec& step) {
      return step.hasPlaceholders || !step.extractions.empty();
    });
  }

  void runStep(std::size_t index) {
    const StepSpec& step = spec->steps[index];
    // The check's timeout bounds the whole run; each step gets what is left of it.
    const auto elapsed = std::chrono::duration_cast<Millis>(clock.now() - started);
    const Millis budget = std::max(Millis(1), spec->timeout - elapsed);
    auto done = [self = shared_from_this(), index](ProbeResult probe) {
      self->stepDone(index, std::move(probe));
    };
    if (!step.hasPlaceholders) {
      engine.send(requestFor(step, budget), std::move(done));
      return;
    }
    StepSpec filled;
    std::string problem;
    if (!fillStep(step, variables, filled, problem)) {
      ProbeResult notSent;
      notSent.failure = FailureKind::InvalidRequest;
      notSent.failureMessage = std::move(problem);
      done(std::move(notSent));
      return;
    }
    engine.send(requestFor(filled, budget), std::move(done));
  }

  void stepDone(std::size_t index, ProbeResult probe) {
    const StepSpec& step = spec->steps[index];
    Verdict verdict = judge(step, probe, clock.wallNow(),
                            step.extractions.empty() ? nullptr : &variables, &spec->secrets);
    if (!verdict.passed && !spec->secrets.empty()) {
      // Judging kept secrets out of the values it quoted; this catches the rest (a transport
      // error or an extraction message naming what it read).
      for (std::string& failure : verdict.failures) {
        failure = redactSecrets(std::move(failure), spec->secrets);
      }
      probe.failureMessage = redactSecrets(std::move(probe.failureMessage), spec->secrets);
    }
    for (std::string& degradation : verdict.degradations) {
      degradation = redactSecrets(std::move(degradation), spec->secrets);
    }
    // Judged: the body, the headers and the final URL are not kept (a last result per check
    // stays small at a million checks); sizes and the announced Content-Length are.
    const bool passed = verdict.passed;
    result->steps.push_back(
        StepOutcome{step.name, std::move(static_cast<ProbeOutcome&>(probe)), std::move(verdict)});
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

void HttpProber::run(std::shared_ptr<const CheckSpec> spec, Done done) {
  auto run = std::make_shared<Run>(engine_, clock_, std::move(spec), std::move(done));
  run->start();
}

}  // namespace prober
