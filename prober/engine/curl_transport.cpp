#include "prober/engine/curl_transport.h"

namespace prober {

void CurlTransport::post(const OutgoingRequest& request,
                         std::function<void(TransportAnswer)> done) {
  StepSpec step;
  step.name = "notification";
  step.method = "POST";
  step.url = request.url;
  step.body = request.body;
  step.headers = {{"Content-Type", request.contentType}};
  step.followRedirects = false;
  step.bodySizeLimit = 64 * 1024;  // answers are small; a huge one is not worth keeping
  engine_.probe(step, request.timeout, [done = std::move(done)](ProbeResult result) {
    TransportAnswer answer;
    if (result.gotResponse()) {
      answer.status = result.status;
      answer.body = std::move(result.body);
    } else {
      answer.error = result.failureReason;
    }
    done(std::move(answer));
  });
}

}  // namespace prober
