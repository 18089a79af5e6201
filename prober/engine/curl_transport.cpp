#include "prober/engine/curl_transport.h"

namespace prober {

void CurlTransport::post(const OutgoingRequest& request,
                         std::function<void(TransportAnswer)> done) {
  HttpRequest post;
  post.method = "POST";
  post.url = request.url;
  post.body = request.body;
  post.headers = {{"Content-Type", request.contentType}};
  post.timeout = request.timeout;
  post.followRedirects = false;
  post.bodySizeLimit = 64 * 1024;  // answers are small; a huge one is not worth keeping
  engine_.send(post, [done = std::move(done)](ProbeResult result) {
    TransportAnswer answer;
    if (result.gotResponse()) {
      answer.status = result.status;
      answer.body = std::move(result.body);
    } else {
      answer.error = result.failureMessage;
    }
    done(std::move(answer));
  });
}

}  // namespace prober
