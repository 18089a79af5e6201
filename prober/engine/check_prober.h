#pragma once
// The check-kind seam: what the runtime runs for a check is chosen by the check's kind behind
// this one small interface. HTTP (HttpProber, through libcurl) is the first kind; each new
// kind (TCP, DNS, ICMP, gRPC, heartbeats) is a new implementation in a file of its own, never
// a branch in the scheduler or the probe loop.
#include <array>
#include <cstddef>
#include <functional>
#include <memory>

#include "checks/check_spec.h"
#include "checks/run_result.h"

namespace prober {

class CheckProber {
 public:
  using Done = std::function<void(RunResultPtr)>;
  virtual ~CheckProber() = default;

  // Runs `spec` once. `done` runs later on the event loop, exactly once, with one immutable
  // result (unless cancelAll() comes first). Never blocks and never throws for anything a
  // target or the network does: that is data in the result. The run keeps `spec` alive, so a
  // reload that drops the check while it runs is safe.
  virtual void run(std::shared_ptr<const CheckSpec> spec, Done done) = 0;
  // Abandons every run in flight; their `done` is not called.
  virtual void cancelAll() = 0;
};

class HttpEngine;
class Clock;

// A prober of every kind this build knows, each built once from what it needs, and the one
// the runtime and `prober once` run checks through. A new kind is added here, in its
// constructor, and in files of its own.
class CheckProbers final : public CheckProber {
 public:
  // `http` and `clock` outlive the probers.
  CheckProbers(HttpEngine& http, const Clock& clock);
  ~CheckProbers() override;
  CheckProbers(const CheckProbers&) = delete;
  CheckProbers& operator=(const CheckProbers&) = delete;

  // Runs `spec` on its kind's prober; a kind none serves fails the run with that reason.
  void run(std::shared_ptr<const CheckSpec> spec, Done done) override;
  void cancelAll() override;

 private:
  static std::size_t index(CheckKind kind) { return static_cast<std::size_t>(kind); }
  void add(CheckKind kind, std::unique_ptr<CheckProber> prober) {
    byKind_[index(kind)] = std::move(prober);
  }
  std::array<std::unique_ptr<CheckProber>, kCheckKindCount> byKind_;
};

}  // namespace prober
