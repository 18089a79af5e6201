#pragma once
// How alerting sends HTTP without reaching up into the runtime: prober/ implements this with
// the curl engine, tests with a fake.
#include <functional>
#include <string>

#include "checks/duration.h"

namespace prober {

struct OutgoingRequest {
  std::string url;
  std::string body;
  std::string contentType = "application/json";
  Millis timeout{10'000};
};

struct TransportAnswer {
  int status = 0;     // HTTP status; 0 when no response arrived
  std::string body;   // the response body (capped by the transport)
  std::string error;  // why no response arrived: "connection refused", "timed out after 10s"
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Posts `request`; `done` runs later, on the event loop, exactly once.
  virtual void post(const OutgoingRequest& request, std::function<void(TransportAnswer)> done) = 0;
};

}  // namespace prober
