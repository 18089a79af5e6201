#pragma once
// An HttpEngine whose answers are scripted per request: each probe asks the script for its
// result and how long it takes, and the answer lands when the driver calls answerDue() at or
// after that time. A target that is slow, down or flapping is a script, not a server.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/clock.h"
#include "prober/engine/http_engine.h"

namespace prober::testing {

class ScriptedHttpEngine final : public HttpEngine {
 public:
  struct Outcome {
    ProbeResult result;
    SteadyDuration after{};
  };
  // Asked when the probe is sent: the target as it is then decides the answer.
  using Script = std::function<Outcome(const HttpRequest&)>;

  ScriptedHttpEngine(const Clock& clock, Script script)
      : clock_(clock), script_(std::move(script)) {}

  void send(const HttpRequest& request, Callback done) override {
    Outcome outcome = script_(request);
    pending_.push_back(Pending{clock_.now() + outcome.after, next_++, request.url,
                               std::move(outcome.result), std::move(done), clock_.now()});
  }
  void cancelAll() override { pending_.clear(); }
  std::size_t inFlight() const override { return pending_.size(); }

  // Told of each answer just before the runner gets it: what the daemon saw, and when the probe
  // was sent (two probes of one URL may overlap: one of a check a reload replaced).
  std::function<void(const std::string& url, const ProbeResult&, SteadyTime sentAt)> answered;

  int answerDue() {
    std::vector<Pending> due;
    const SteadyTime now = clock_.now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->at <= now) {
        due.push_back(std::move(*it));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    std::sort(due.begin(), due.end(), [](const Pending& a, const Pending& b) {
      return a.at != b.at ? a.at < b.at : a.order < b.order;
    });
    for (Pending& each : due) {
      if (answered) {
        answered(each.url, each.result, each.sentAt);
      }
      each.done(std::move(each.result));
    }
    return static_cast<int>(due.size());
  }
  std::optional<SteadyTime> nextDue() const {
    std::optional<SteadyTime> next;
    for (const Pending& each : pending_) {
      if (!next || each.at < *next) {
        next = each.at;
      }
    }
    return next;
  }
  void dropAll() { pending_.clear(); }

 private:
  struct Pending {
    SteadyTime at;
    std::uint64_t order;
    std::string url;
    ProbeResult result;
    Callback done;
    SteadyTime sentAt;
  };
  const Clock& clock_;
  Script script_;
  std::vector<Pending> pending_;
  std::uint64_t next_ = 0;
};

}  // namespace prober::testing
