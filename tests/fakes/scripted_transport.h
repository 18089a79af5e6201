#pragma once
// A Transport whose answers are scripted per request: each post asks the script what happens
// (an HTTP status, a connection error, a timeout) and after how long, and the answer lands when
// the driver calls answerDue() at or after that time. What a kill -9 would lose, dropAll() drops.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerting/transport.h"
#include "checks/clock.h"

namespace prober::testing {

class ScriptedTransport final : public Transport {
 public:
  struct Outcome {
    TransportAnswer answer;
    SteadyDuration after{};
  };
  using Script = std::function<Outcome(const OutgoingRequest&)>;

  ScriptedTransport(const Clock& clock, Script script)
      : clock_(clock), script_(std::move(script)) {}

  void post(const OutgoingRequest& request, std::function<void(TransportAnswer)> done) override {
    Outcome outcome = script_(request);
    pending_.push_back(
        Pending{clock_.now() + outcome.after, next_++, std::move(outcome.answer), std::move(done)});
  }

  // Answers every request whose time has come, earliest first (posts in order at a tie).
  // Answers may post more; those wait for the next call.
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
      each.done(std::move(each.answer));
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
  // The process died: the answers in flight never reach it.
  void dropAll() { pending_.clear(); }

 private:
  struct Pending {
    SteadyTime at;
    std::uint64_t order;
    TransportAnswer answer;
    std::function<void(TransportAnswer)> done;
  };
  const Clock& clock_;
  Script script_;
  std::vector<Pending> pending_;
  std::uint64_t next_ = 0;
};

}  // namespace prober::testing
