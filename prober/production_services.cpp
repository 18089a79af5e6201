#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include "alerting/notifier_settings.h"
#include "prober/daemon.h"
#include "prober/engine/curl_engine.h"
#include "prober/engine/curl_transport.h"
#include "prober/runtime/asio_timer.h"
#include "prober/services.h"

namespace prober {

struct ProductionServices::Impl {
  Impl(boost::asio::io_context& io, const DaemonOptions& options, const Config& config)
      : io(io),
        options(options),
        engine(io, static_cast<std::size_t>(config.prober.maxInFlight), userAgent(config)),
        transport(engine) {}

  static std::string userAgent(const Config& config) {
    return config.prober.userAgent.empty() ? std::string("prober/") + PROBER_VERSION
                                           : config.prober.userAgent;
  }

  boost::asio::io_context& io;
  DaemonOptions options;
  SystemClock clock;
  CurlEngine engine;
  CurlTransport transport;
  std::mt19937 random{std::random_device{}()};
};

ProductionServices::ProductionServices(boost::asio::io_context& io, const DaemonOptions& options,
                                       const Config& config)
    : impl_(std::make_unique<Impl>(io, options, config)) {}

ProductionServices::~ProductionServices() = default;

Services ProductionServices::services() {
  Impl& impl = *impl_;
  return Services{
      impl.io,
      impl.clock,
      [&impl] { return std::make_unique<AsioTimer>(impl.io); },
      [&impl](std::function<void()> job) { boost::asio::post(impl.io, std::move(job)); },
      impl.engine,
      impl.transport,
      [&impl] { return std::uniform_real_distribution<double>(0, 1)(impl.random); },
      [&impl] {
        LoadOptions loadOptions;
        loadOptions.listen = impl.options.listen;
        loadOptions.shard = impl.options.shard;
        return loadConfig(impl.options.configPath, processEnvironment,
                          withNotifierChecks(loadOptions));
      },
      true};
}

}  // namespace prober
