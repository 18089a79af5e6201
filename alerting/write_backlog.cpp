#include "alerting/write_backlog.h"

#include <algorithm>

namespace prober {

namespace {

constexpr std::int64_t kFirstRetryMs = 1'000;
constexpr std::int64_t kLongestRetryMs = 60'000;

}  // namespace

bool WriteBacklog::submit(Write write) {
  if (writes_.empty()) {
    std::string error;
    if (write(error)) {
      return true;
    }
    failed(error);
  }
  writes_.push_back(std::move(write));
  return false;
}

bool WriteBacklog::retry() {
  while (!writes_.empty()) {
    std::string error;
    if (!writes_.front()(error)) {
      failed(error);
      ++failedRetries_;
      return false;
    }
    writes_.pop_front();
  }
  failedRetries_ = 0;
  lastError_.clear();
  return true;
}

std::int64_t WriteBacklog::retryDelayMs() const {
  const int doublings = std::min(failedRetries_, 6);  // 1 s * 2^6 passes the 60 s cap
  return std::min(kFirstRetryMs << doublings, kLongestRetryMs);
}

void WriteBacklog::failed(const std::string& error) {
  ++failures_;
  lastError_ = error;
}

}  // namespace prober
