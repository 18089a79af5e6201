#pragma once
// Reads a descriptor each time it becomes readable, on the event loop, the way Asio's own
// socket reads work: Asio first tries the read, and only when nothing was there queues it for
// the descriptor's next readiness, with no system call. A one-shot async_wait instead costs an
// EPOLL_CTL_MOD every time it is re-armed; for the socket poller's epoll set, re-armed after
// every wake, that was one call a probe.
//
// Asio offers no public way to start such a read for a function of ours, so this uses its
// reactor's operation interface (boost/asio/detail, as Boost 1.81 in Debian 12 has it). What it
// relies on: start_op with speculation allowed runs the operation at once when the descriptor
// may be ready; an operation that reports itself exhausted is queued without a call next time;
// readiness while nothing is queued makes the next start try first; deregistering or
// cancelling completes a queued operation with operation_aborted.
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace prober {

class LoopRead {
 public:
  enum class Outcome {
    Nothing,  // nothing was ready: wait for the descriptor
    Some,     // read everything there was
    Partial,  // read as much as it could take: there may be more
  };
  // `read` runs inside Asio's reactor, possibly inside start(): it may only read the
  // descriptor. `handle` runs on the loop after a read that got something; it may call
  // start() and stop(), and no read happens until it returns.
  LoopRead(boost::asio::io_context& io, int fd, std::function<Outcome()> read,
           std::function<void()> handle);
  ~LoopRead();  // closes the descriptor
  LoopRead(const LoopRead&) = delete;
  LoopRead& operator=(const LoopRead&) = delete;

  // False when Asio could not register the descriptor.
  bool usable() const { return registered_; }
  int fd() const { return fd_; }

  // Keeps a read pending until stop(); nothing when one is.
  void start();
  // Gives up the pending read (no system call), so a loop with no other work can end.
  void stop();

 private:
  struct Operation;
  struct Reactor;
  void completed(bool aborted);

  int fd_;
  std::function<Outcome()> read_;
  std::function<void()> handle_;
  std::unique_ptr<Reactor> reactor_;  // Asio's reactor and its state for `fd_`
  bool registered_ = false;
  bool wanted_ = false;   // start() until stop()
  bool out_ = false;      // the operation is Asio's until it completes
  bool handling_ = false;  // `handle` runs: a read now would overwrite what it reads
  Operation* operation_;  // one, reused; deleted by whoever holds it last
};

}  // namespace prober
