#pragma once
// PageHolds over a store in a fresh directory of its own (removed at the end), and a silence
// made as POST /api/v1/silences makes it: for tests of what reads the holds.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "alerting/holds/page_holds.h"
#include "checks/clock.h"

namespace prober::testing {

class PageHoldsOnDisk {
 public:
  explicit PageHoldsOnDisk(const std::string& name)
      : dir_(
            std::filesystem::temp_directory_path() /
            ("prober-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(next_++))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string error;
    store_ = Store::open(dir_.string(), error);
    REQUIRE_MESSAGE(store_, error);
    holds_ = std::make_unique<PageHolds>(*store_);
  }
  ~PageHoldsOnDisk() {
    holds_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  PageHoldsOnDisk(const PageHoldsOnDisk&) = delete;
  PageHoldsOnDisk& operator=(const PageHoldsOnDisk&) = delete;

  PageHolds& holds() { return *holds_; }

  // A silence on `checks` (a name or a glob) for `duration` ("5m"), from the clock's now.
  void silence(const Clock& clock, const std::string& checks, const std::string& duration) {
    std::string error;
    auto made =
        silenceFromRequest(R"({"checks":[")" + checks + R"("],"duration":")" + duration + R"("})",
                           clock.wallNow(), error);
    REQUIRE_MESSAGE(made, error);
    REQUIRE(holds_->add(*made, error));
  }

 private:
  static inline std::atomic<int> next_{0};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PageHolds> holds_;
};

}  // namespace prober::testing
