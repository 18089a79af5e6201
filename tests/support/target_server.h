#pragma once
// A target for integration tests on 127.0.0.1: known answers, slow answers, big bodies,
// redirect chains and loops, and hostile answers (/hostile/...: invalid UTF-8, a 200 KiB
// header, headers or a status line trickled a byte at a time, a 10 GB Content-Length, TLS bytes
// on plain HTTP, closed or left open). Runs its own event loop on a thread of its own.
#include <memory>

namespace prober::testing {

class TargetServer {
 public:
  TargetServer();  // listens on 127.0.0.1, a free port
  ~TargetServer();
  unsigned short port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace prober::testing
