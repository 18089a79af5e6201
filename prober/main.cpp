// prober: synthetic HTTP checks on a schedule, exported to Prometheus.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>

#include "checks/config_loader.h"
#include "prober/curl_engine.h"
#include "prober/daemon.h"
#include "prober/logging.h"
#include "prober/once.h"

namespace {

constexpr int kExitUsage = 2;

// Loads the config or prints every error; nullopt means invalid.
std::optional<prober::Config> loadOrReport(const std::string& path) {
  prober::LoadResult loaded = prober::loadConfig(path);
  for (const auto& error : loaded.errors) {
    std::cerr << prober::toString(error) << "\n";
  }
  return std::move(loaded.config);
}

int commandRun(const std::string& path, const prober::DaemonOptions& options) {
  auto config = loadOrReport(path);
  if (!config) {
    spdlog::error("{} is invalid; not starting", path);
    return 1;
  }
  try {
    boost::asio::io_context io;
    prober::Daemon daemon(io, options, std::move(*config));
    io.run();
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

int commandValidate(const std::string& path) {
  auto config = loadOrReport(path);
  if (!config) {
    return 1;
  }
  std::cout << path << ": valid, " << config->checks.size() << " checks\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  prober::initCurlGlobally();
  CLI::App app{
      "prober: synthetic HTTP checks on a schedule, exported to Prometheus, paging on-call"};
  app.set_version_flag("--version", std::string("prober ") + PROBER_VERSION);
  app.require_subcommand(1);
  std::string logFormat = "text";
  std::string logLevel = "info";
  app.add_option("--log-format", logFormat, "Log line format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", logLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  std::string configPath;
  prober::DaemonOptions options;
  std::string listen;
  std::string stateDir;
  auto* run = app.add_subcommand(
      "run", "Run the daemon: schedule every check, serve /metrics, the status page and the API");
  run->add_option("-c,--config", configPath, "Config file (TOML)")->required();
  run->add_option("--listen", listen, "Listen address HOST:PORT, overriding [prober] listen");
  run->add_option("--state-dir", stateDir, "State directory, overriding [prober] state_dir");
  run->add_option("--log-format", logFormat, "Log line format: text or json")
      ->check(CLI::IsMember({"text", "json"}));

  auto* validate = app.add_subcommand(
      "validate", "Check a config; print FILE:LINE:COL: message for every error");
  validate->add_option("-c,--config", configPath, "Config file (TOML)")->required();

  std::vector<std::string> selected;
  std::string format = "table";
  auto* once = app.add_subcommand("once", "Run checks once, concurrently, and print each result");
  once->add_option("-c,--config", configPath, "Config file (TOML)")->required();
  once->add_option("--check", selected, "Only this check (repeatable)");
  once->add_option("--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  prober::setUpLogging(logFormat, logLevel);

  if (*run) {
    options.configPath = configPath;
    if (!listen.empty()) {
      options.listen = listen;
    }
    if (!stateDir.empty()) {
      options.stateDir = stateDir;
    }
    return commandRun(configPath, options);
  }
  if (*validate) {
    return commandValidate(configPath);
  }
  if (*once) {
    auto config = loadOrReport(configPath);
    if (!config) {
      return kExitUsage;
    }
    return prober::runOnce(*config, selected,
                           format == "json" ? prober::OnceFormat::Json : prober::OnceFormat::Table,
                           std::cout, std::cerr);
  }
  return kExitUsage;
}
