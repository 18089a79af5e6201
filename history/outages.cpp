#include "history/outages.h"

#include <fmt/format.h>

namespace prober {

std::string Outage::runsText() const {
  if (failedRuns == runs) {
    return fmt::format("{} run{}", runs, runs == 1 ? "" : "s");
  }
  return fmt::format("{} of {} runs failed", failedRuns, runs);
}

void OutageBuilder::add(const RunRecord& run) {
  const bool first = first_;
  first_ = false;
  if (run.passed) {
    if (open_ && ++passesSince_ == 1) {
      outages_.back().endMs = run.atMs;
    }
    if (passesSince_ >= kRecoveryRuns) {
      open_ = false;
    }
    return;
  }
  if (!open_) {
    Outage outage;
    outage.startMs = run.atMs;
    outage.beganBefore = first && failingBefore_;
    outage.status = run.status;
    outage.reason = run.reason;
    outage.firstFailure = run.failure;
    outages_.push_back(std::move(outage));
    open_ = true;
    passesSince_ = 0;
  }
  Outage& outage = outages_.back();
  outage.runs += static_cast<std::uint64_t>(passesSince_) + 1;  // passes between count too
  ++outage.failedRuns;
  outage.endMs = 0;
  passesSince_ = 0;
}

std::vector<Outage> outagesOf(const std::vector<RunRecord>& runs, bool failingBefore) {
  OutageBuilder builder(failingBefore);
  for (const RunRecord& run : runs) {
    builder.add(run);
  }
  return builder.take();
}

}  // namespace prober
