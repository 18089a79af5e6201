#pragma once
// The production Timer: an Asio steady_timer on the event loop.
#include <memory>

#include "checks/clock.h"

namespace boost::asio {
class io_context;
}

namespace prober {

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io);
  ~AsioTimer() override;
  void armAt(SteadyTime deadline, std::function<void()> fire) override;
  void cancel() override;
  void expectNext(SteadyTime deadline) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prober
