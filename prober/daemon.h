#pragma once
// The running daemon: checks on a schedule, their state, the HTTP endpoints, reload and stop.
// SIGHUP and POST /-/reload re-read the config file: a valid one replaces the running config
// (unchanged checks keep their state); an invalid one is refused and logged.
#include <memory>
#include <optional>
#include <string>

#include "checks/check_spec.h"
#include "prober/services.h"
#include "prober/web/server/http_server.h"

namespace prober {

struct DaemonOptions {
  std::string configPath;
  std::optional<std::string> listen;    // overrides [prober] listen
  std::optional<std::string> stateDir;  // overrides [prober] state_dir
  std::optional<Shard> shard;           // overrides [prober] shard
};

class Daemon {
 public:
  // Starts scheduling `config` and serving on its listen address. Throws std::runtime_error
  // when the address cannot be bound or the state directory cannot be used. What `services`
  // refers to outlives the daemon.
  Daemon(Services services, DaemonOptions options, Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Answers one request as the HTTP server does (the server calls it; so do tests).
  void answer(const ServerRequest& request, Responder respond);

  // Cancels probes in flight, closes the server and lets the loop end.
  void stop();

  unsigned short port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace prober
