#pragma once
// The seam between the runtime and HTTP: production uses CurlEngine, unit tests a fake.
#include <functional>

#include "checks/probe_result.h"
#include "prober/engine/http_request.h"

namespace prober {

class HttpEngine {
 public:
  using Callback = std::function<void(ProbeResult)>;
  virtual ~HttpEngine() = default;

  // Sends `request` on a fresh connection; `done` runs later, on the event loop, exactly once
  // (unless the engine is shut down first). Never blocks and never throws for anything a
  // server or the network does: that is data in the result.
  virtual void send(const HttpRequest& request, Callback done) = 0;

  // Abandons every request in flight; their callbacks are not called.
  virtual void cancelAll() = 0;

  virtual std::size_t inFlight() const = 0;
};

}  // namespace prober
