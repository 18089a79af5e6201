#pragma once
// Reloads the config without stalling probes: the file is read and validated off the loop
// (10,000 checks take a few hundred ms), then handed to the loop to apply. One reload at a
// time; one asked for meanwhile is refused with "try again". The loader and the way back onto
// the loop are injected, so tests decide what a reload reads and when it lands.
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "checks/config/config_loader.h"

namespace prober {

class ConfigReloader {
 public:
  using Load = std::function<LoadResult()>;                 // runs on the reloader's thread
  using Post = std::function<void(std::function<void()>)>;  // runs a function on the loop
  // Applies a valid config on the loop; returns what to tell the one who asked.
  using Apply = std::function<std::string(Config config)>;
  // Whether the reload was applied (for prober_config_reloads_total) and what to tell.
  using Done = std::function<void(bool applied, const std::string& message)>;

  ConfigReloader(Load load, Post post, Apply apply, std::function<void(bool applied)> counted);
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  // Starts a reload; `done` runs on the loop when it is applied or refused.
  void reload(Done done);
  bool running() const { return running_; }
  // Waits for a load in progress to end; what it posts afterwards is dropped.
  void stop();

 private:
  void finish(LoadResult& loaded, const Done& done);

  Load load_;
  Post post_;
  Apply apply_;
  std::function<void(bool)> counted_;
  bool running_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread loader_;
};

}  // namespace prober
