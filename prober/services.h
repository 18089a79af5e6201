#pragma once
// What the daemon is built from: time, timers, the way back onto the loop, HTTP out, and where
// a reload reads its config. Production fills it with the system clock, Asio and curl
// (ProductionServices); the daemon's unit tests with a manual clock and fakes, so hours of
// schedule, pages and reloads run in microseconds.
#include <functional>
#include <memory>

#include "alerting/transport.h"
#include "checks/clock.h"
#include "checks/config/config_loader.h"
#include "prober/engine/http_engine.h"

namespace boost::asio {
class io_context;
}

namespace prober {

struct Services {
  boost::asio::io_context& io;  // the HTTP server and signals live on it
  Clock& clock;
  TimerFactory newTimer;
  PostToLoop post;  // safe to call from any thread
  HttpEngine& engine;
  Transport& transport;                    // notifications
  std::function<double()> random;          // uniform in [0, 1), for retry jitter
  std::function<LoadResult()> loadConfig;  // what a reload reads; called off the loop
  bool watchSignals = true;                // SIGHUP reloads, SIGTERM and SIGINT stop
};

struct DaemonOptions;

// The real thing: the system clock, Asio timers and posts, the curl engine and transport.
class ProductionServices {
 public:
  ProductionServices(boost::asio::io_context& io, const DaemonOptions& options,
                     const Config& config);
  ~ProductionServices();
  ProductionServices(const ProductionServices&) = delete;
  ProductionServices& operator=(const ProductionServices&) = delete;

  Services services();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prober
