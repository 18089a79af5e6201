#pragma once
// A Transport that keeps what is posted and answers when the test says: notification delivery
// tested without a network and in the order the test chooses.
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <string>

#include "alerting/transport.h"

namespace prober::testing {

struct FakeTransport : Transport {
  struct Sent {
    OutgoingRequest request;
    std::function<void(TransportAnswer)> done;
  };
  std::deque<Sent> sent;
  void post(const OutgoingRequest& request, std::function<void(TransportAnswer)> done) override {
    sent.push_back({request, std::move(done)});
  }
  // Answers the oldest unanswered request.
  void answer(int status, std::string body = "", std::string error = "") {
    REQUIRE_FALSE(sent.empty());
    auto done = std::move(sent.front().done);
    sent.pop_front();
    done(TransportAnswer{status, std::move(body), std::move(error)});
  }
};

}  // namespace prober::testing
