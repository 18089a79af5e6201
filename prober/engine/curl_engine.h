#pragma once
// HttpEngine on libcurl's multi socket API, driven by one Boost.Asio io_context.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "prober/engine/http_engine.h"

namespace boost::asio {
class io_context;
}

namespace prober {

class CurlEngine final : public HttpEngine {
 public:
  // `idleHandles` bounds how many curl easy handles (set up with the options every request
  // shares) and transfer records are kept for reuse between probes.
  CurlEngine(boost::asio::io_context& io, std::size_t idleHandles, std::string userAgent);
  ~CurlEngine() override;
  CurlEngine(const CurlEngine&) = delete;
  CurlEngine& operator=(const CurlEngine&) = delete;

  void send(const HttpRequest& request, Callback done) override;
  void cancelAll() override;
  std::size_t inFlight() const override;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Initialises libcurl once per process (call from main before any thread starts).
void initCurlGlobally();

}  // namespace prober
