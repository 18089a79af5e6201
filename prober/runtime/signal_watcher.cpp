#include "prober/runtime/signal_watcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

namespace prober {

struct SignalWatcher::Impl {
  Impl(boost::asio::io_context& io, std::string configPath, std::function<void()> reload,
       std::function<void()> stop)
      : signals(io, SIGHUP, SIGTERM, SIGINT),
        configPath(std::move(configPath)),
        reload(std::move(reload)),
        stop(std::move(stop)) {}

  boost::asio::signal_set signals;
  std::string configPath;
  std::function<void()> reload;
  std::function<void()> stop;
};

SignalWatcher::SignalWatcher(boost::asio::io_context& io, std::string configPath,
                             std::function<void()> reload, std::function<void()> stop)
    : impl_(std::make_unique<Impl>(io, std::move(configPath), std::move(reload), std::move(stop))) {
  watch();
}

SignalWatcher::~SignalWatcher() = default;

void SignalWatcher::watch() {
  impl_->signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", impl_->configPath);
      impl_->reload();
      watch();
      return;
    }
    spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    impl_->stop();
  });
}

void SignalWatcher::cancel() {
  boost::system::error_code ignored;
  impl_->signals.cancel(ignored);
}

}  // namespace prober
