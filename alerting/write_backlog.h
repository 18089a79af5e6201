#pragma once
// State writes the disk refused (full, read-only, failing), kept in memory in their order and
// retried with backoff until stored. A page is never held back for the disk: it is delivered
// from memory meanwhile, and once the writes go through, the stored state matches what was
// delivered, so a crash after the disk frees still ends in a resolve. No clock, no timer: the
// runtime asks for the delay and calls retry().
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

namespace prober {

class WriteBacklog {
 public:
  // One write; false with `error` set when the store refused it.
  using Write = std::function<bool(std::string& error)>;

  // Runs `write` now unless others wait before it; keeps it when it must wait or fails. True
  // when it was written now.
  bool submit(Write write);
  // Retries the waiting writes in order until one fails; true when none waits any more.
  bool retry();

  std::size_t pending() const { return writes_.size(); }
  const std::string& lastError() const { return lastError_; }
  // Failed attempts ever, for prober_state_write_errors_total.
  std::uint64_t failures() const { return failures_; }
  // How long to wait before the next retry: 1 s doubling with each failed retry, at most 60 s.
  std::int64_t retryDelayMs() const;

 private:
  void failed(const std::string& error);

  std::deque<Write> writes_;
  std::string lastError_;
  std::uint64_t failures_ = 0;
  int failedRetries_ = 0;  // in a row, since the backlog was last empty
};

}  // namespace prober
