#include "prober/runtime/asio_timer.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace prober {

struct AsioTimer::Impl {
  explicit Impl(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

AsioTimer::AsioTimer(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
AsioTimer::~AsioTimer() = default;

void AsioTimer::armAt(SteadyTime deadline, std::function<void()> fire) {
  impl_->timer.expires_at(deadline);  // cancels the previous wait
  impl_->timer.async_wait([fire = std::move(fire)](const boost::system::error_code& ec) {
    if (!ec) {
      fire();
    }
  });
}

void AsioTimer::cancel() {
  impl_->timer.cancel();
}

}  // namespace prober
