#pragma once
// An HttpEngine that keeps each request and answers when the test says, with whatever result
// the test builds: the runtime tested without sockets, in the order the test chooses.
#include <doctest/doctest.h>

#include <deque>
#include <string>
#include <string_view>

#include "prober/engine/http_engine.h"

namespace prober::testing {

class FakeHttpEngine final : public HttpEngine {
 public:
  struct Request {
    HttpRequest request;  // as the runner sent it: placeholders filled in
    Callback done;
  };

  void send(const HttpRequest& request, Callback done) override {
    requests.push_back({request, std::move(done)});
  }
  void cancelAll() override { requests.clear(); }
  std::size_t inFlight() const override { return requests.size(); }

  // Answers the oldest request with `result`.
  void answer(ProbeResult result) {
    REQUIRE_FALSE(requests.empty());
    auto done = std::move(requests.front().done);
    requests.pop_front();
    done(std::move(result));
  }
  // A response with a status, a body and headers, as a quick server would give it.
  static ProbeResult response(int status, std::string body = "",
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
    ProbeResult result;
    result.status = status;
    result.body = std::move(body);
    result.bodySize = result.body.size();
    result.headers = std::move(headers);
    result.totalSeconds = 0.01;
    return result;
  }
  // Answers the oldest request with a status and a body.
  void answer(int status, std::string body = "",
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    answer(response(status, std::move(body), std::move(headers)));
  }

  // Answers the oldest request whose URL contains `url` with a status; false when none waits.
  bool answerFor(std::string_view url, int status, std::string body = "") {
    for (auto it = requests.begin(); it != requests.end(); ++it) {
      if (it->request.url.find(url) == std::string::npos) {
        continue;
      }
      auto done = std::move(it->done);
      requests.erase(it);
      done(response(status, std::move(body)));
      return true;
    }
    return false;
  }

  std::deque<Request> requests;
};

}  // namespace prober::testing
