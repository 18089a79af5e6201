#pragma once
// The signals a service manager and a person at a terminal send, turned into the daemon's two
// actions on the event loop: SIGHUP reloads the config, SIGTERM and SIGINT stop. Asio waits for
// them, so nothing runs in signal context; the daemon builds one only when Services asks it to
// (tests drive reload and stop themselves).
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace prober {

class SignalWatcher {
 public:
  // `configPath` is named in the log when SIGHUP reloads it.
  SignalWatcher(boost::asio::io_context& io, std::string configPath, std::function<void()> reload,
                std::function<void()> stop);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // No signal is acted on from now on (safe from inside `stop`).
  void cancel();

 private:
  void watch();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prober
