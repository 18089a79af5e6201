#include "tests/simulation/parent_alerts.h"

#include <algorithm>

namespace prober::simulation {

namespace {

// A parent's transition reaches its children within the same turn of the loop; the margin
// covers a child's run answered in the same millisecond.
constexpr std::int64_t kMarginMs = 2'000;

}  // namespace

ParentAlerts::ParentAlerts(const Schedule& schedule, const Record& record)
    : schedule_(schedule), record_(record) {
  for (const Applied& applied : record.applied) {
    epochs_.push_back(applied.at);
  }
  epochs_.insert(epochs_.end(), record.kills.begin(), record.kills.end());
  std::sort(epochs_.begin(), epochs_.end());
  for (const Observation& o : record.observations) {
    runs_[o.check].push_back(&o);
  }
}

std::size_t ParentAlerts::epochOf(std::int64_t at) const {
  return static_cast<std::size_t>(std::upper_bound(epochs_.begin(), epochs_.end(), at) -
                                  epochs_.begin());
}

const CheckConfig* ParentAlerts::parentAt(const std::string& parent, std::int64_t at) const {
  int version = 0;
  for (const Applied& applied : record_.applied) {
    if (applied.at <= at) {
      version = applied.version;
    }
  }
  const CheckConfig* config = schedule_.versions.at(version).check(parent);
  return config == nullptr || config->quorum ? nullptr : config;
}

bool ParentAlerts::surelyFiring(const std::string& parent, std::int64_t from,
                                std::int64_t to) const {
  const std::size_t epoch = epochOf(from);
  const CheckConfig* config = parentAt(parent, from);
  const auto found = runs_.find(parent);
  if (config == nullptr || epochOf(to) != epoch || found == runs_.end()) {
    return false;
  }
  int failures = 0;
  std::int64_t firedAt = -1;
  for (const Observation* o : found->second) {
    if (epochOf(o->at) != epoch) {
      continue;
    }
    // A probe sent in the epoch before: the daemon may have dropped its answer.
    const bool straddles = epochOf(o->startedAt) != epoch;
    if (o->pass) {
      if (firedAt >= 0 && firedAt + kMarginMs <= from && to + kMarginMs <= o->at) {
        return true;
      }
      failures = 0;
      firedAt = -1;
      continue;
    }
    if (!straddles && ++failures == config->failureThreshold) {
      firedAt = o->at;
    }
  }
  return firedAt >= 0 && firedAt + kMarginMs <= from;  // still failing when the epoch ended
}

bool ParentAlerts::surelyQuiet(const std::string& parent, std::int64_t at) const {
  const std::size_t epoch = epochOf(at);
  const CheckConfig* config = parentAt(parent, at);
  const auto found = runs_.find(parent);
  if (config == nullptr || found == runs_.end()) {
    return false;
  }
  int passes = 0;
  for (const Observation* o : found->second) {
    if (o->at > at + kMarginMs) {
      break;
    }
    if (epochOf(o->at) != epoch) {
      continue;
    }
    if (!o->pass) {
      passes = 0;  // a failure, straddling or not, may count
    } else if (epochOf(o->startedAt) == epoch && o->at + kMarginMs <= at) {
      ++passes;
    }
  }
  return passes >= config->successThreshold;
}

}  // namespace prober::simulation
