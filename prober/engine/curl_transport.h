#pragma once
// alerting's Transport on the curl engine: notifications go out through the same loop as probes.
#include "alerting/transport.h"
#include "prober/engine/http_engine.h"

namespace prober {

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(HttpEngine& engine) : engine_(engine) {}
  void post(const OutgoingRequest& request, std::function<void(TransportAnswer)> done) override;

 private:
  HttpEngine& engine_;
};

}  // namespace prober
