#include "prober/runtime/config_reloader.h"

#include <spdlog/spdlog.h>

namespace prober {

ConfigReloader::ConfigReloader(Load load, Post post, Apply apply, std::function<void(bool)> counted)
    : load_(std::move(load)),
      post_(std::move(post)),
      apply_(std::move(apply)),
      counted_(std::move(counted)) {}

ConfigReloader::~ConfigReloader() {
  stop();
}

void ConfigReloader::reload(Done done) {
  if (running_ || !*alive_) {
    done(false, "a reload is already running; try again\n");
    return;
  }
  running_ = true;
  if (loader_.joinable()) {
    loader_.join();  // the previous load ended: it posted its result before returning
  }
  loader_ = std::thread([this, alive = alive_, done = std::move(done)] {
    auto loaded = std::make_shared<LoadResult>(load_());
    post_([this, alive, loaded, done] {
      if (!*alive) {
        return;  // stopped meanwhile
      }
      running_ = false;
      finish(*loaded, done);
    });
  });
}

void ConfigReloader::finish(LoadResult& loaded, const Done& done) {
  if (!loaded.config) {
    std::string message = "config refused, the old one keeps running:\n";
    for (const auto& error : loaded.errors) {
      message += toString(error) + "\n";
      spdlog::error("reload refused: {}", toString(error));
    }
    counted_(false);
    done(false, message);
    return;
  }
  const std::string message = apply_(std::move(*loaded.config));
  counted_(true);
  done(true, message);
}

void ConfigReloader::stop() {
  *alive_ = false;
  if (loader_.joinable()) {
    loader_.join();
  }
}

}  // namespace prober
