#include "tests/support/run_check.h"

#include "alerting/notifier_settings.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>

#include "checks/clock.h"
#include "prober/engine/curl_engine.h"
#include "prober/engine/http_prober.h"
#include "tests/support/target_server.h"

namespace prober::testing {

namespace {

TargetServer& sharedTarget() {
  static TargetServer server;
  return server;
}

LoadResult load(std::string toml, std::string& path) {
  toml = std::regex_replace(toml, std::regex("PORT"), std::to_string(sharedTarget().port()));
  path = "run_check_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << toml;
  LoadResult loaded = loadConfig(path, testEnvironment, withNotifierChecks({}));
  std::remove(path.c_str());
  return loaded;
}

}  // namespace

std::optional<std::string> testEnvironment(const std::string& name) {
  if (name == "SYNTH_PASSWORD" || name == "API_TOKEN") {
    return "s3cret";
  }
  return std::nullopt;
}

std::shared_ptr<const CheckSpec> loadCheck(std::string toml) {
  std::string path;
  LoadResult loaded = load(std::move(toml), path);
  for (const auto& error : loaded.errors) {
    MESSAGE(toString(error));
  }
  REQUIRE(loaded.config);
  REQUIRE(loaded.config->checks.size() == 1);
  return loaded.config->checks.front();
}

std::string loadErrors(std::string toml) {
  std::string path;
  LoadResult loaded = load(std::move(toml), path);
  std::string out;
  for (const auto& error : loaded.errors) {
    std::string line = toString(error);
    if (line.rfind(path + ":", 0) == 0) {
      line.erase(0, path.size() + 1);
    }
    out += line + "\n";
  }
  return out;
}

RunResultPtr runCheckOnce(const std::shared_ptr<const CheckSpec>& spec) {
  using namespace std::chrono_literals;
  boost::asio::io_context io;
  CurlEngine engine(io, 4, "prober-test");
  SystemClock clock;
  RunResultPtr result;
  HttpProber(engine, clock).run(spec, [&](RunResultPtr r) { result = std::move(r); });
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!result && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(100ms);
  }
  REQUIRE(result);
  return result;
}

RunResultPtr runToml(std::string toml) { return runCheckOnce(loadCheck(std::move(toml))); }

}  // namespace prober::testing
