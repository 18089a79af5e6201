// The curl engine against a real server on 127.0.0.1: every outcome a target can produce.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "checks/clock.h"
#include "checks/extraction.h"
#include "checks/verdict.h"
#include "prober/engine/curl_engine.h"
#include "prober/engine/http_prober.h"
#include "tests/support/target_server.h"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using prober::FailureKind;
using prober::Millis;
using prober::ProbeResult;
using prober::StepSpec;

namespace {

prober::testing::TargetServer& target() {
  static prober::testing::TargetServer server;
  return server;
}

std::string url(const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(target().port()) + path;
}

// Runs the io_context until `done` holds, at most 15 s.
template <typename Done>
void runUntil(asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(100ms);
  }
}

ProbeResult probe(StepSpec step, Millis timeout = Millis(3000)) {
  asio::io_context io;
  prober::CurlEngine engine(io, 4, "prober-test");
  std::optional<ProbeResult> result;
  engine.send(prober::requestFor(step, timeout), [&](ProbeResult r) { result = std::move(r); });
  runUntil(io, [&] { return result.has_value(); });
  REQUIRE(result.has_value());
  return *result;
}

StepSpec get(const std::string& path) {
  StepSpec step;
  step.name = "test";
  step.url = url(path);
  return step;
}

}  // namespace

TEST_CASE("a 200 answer yields status, headers, body and phase timings") {
  StepSpec step = get("/ok");
  std::string error;
  step.assertions.push_back(
      *prober::Assertion::parse(R"(header Content-Type contains "json")", error));
  const ProbeResult result = probe(step);
  CHECK(result.failure == FailureKind::None);
  CHECK(result.status == 200);
  REQUIRE(result.header("content-type") != nullptr);
  CHECK(*result.header("content-type") == "application/json");
  CHECK(result.body.find("\"UP\"") != std::string::npos);
  CHECK(result.bodySize == result.body.size());
  CHECK(result.totalSeconds > 0);
  CHECK(result.phases.connect >= 0);
  CHECK(result.phases.tls == 0);
  CHECK(result.redirects == 0);
  CHECK_FALSE(result.tls);
  CHECK(result.httpVersion == 11);
}

TEST_CASE("a step that reads no header keeps only the engine's own; one that reads any keeps all") {
  // /ok sends Content-Type and Content-Length; the 302 of /redirect/1 sends Location too.
  const ProbeResult plain = probe(get("/ok"));
  CHECK(plain.status == 200);
  CHECK(plain.header("Content-Type") == nullptr);
  REQUIRE(plain.header("Content-Length") != nullptr);
  CHECK(*plain.header("Content-Length") == std::to_string(plain.body.size()));

  StepSpec noFollow = get("/redirect/1");
  noFollow.followRedirects = false;
  const ProbeResult redirect = probe(noFollow);
  CHECK(redirect.status == 302);
  REQUIRE(redirect.header("Location") != nullptr);
  CHECK(*redirect.header("Location") == "/ok");

  std::string error;
  StepSpec degraded = get("/ok");
  degraded.degradedAssertions.push_back(*prober::Assertion::parse(R"(latency < 2s)", error));
  degraded.degradedAssertions.push_back(
      *prober::Assertion::parse(R"(header Content-Type contains "json")", error));
  CHECK(probe(degraded).header("Content-Type") != nullptr);

  StepSpec extracting = get("/ok");
  extracting.extractions.push_back(
      *prober::Extraction::parse("type", "header Content-Type", error));
  const ProbeResult extracted = probe(extracting);
  REQUIRE(extracted.header("content-type") != nullptr);
  CHECK(*extracted.header("content-type") == "application/json");
}

TEST_CASE("a 503 answer is a response that fails the default any-2xx rule") {
  StepSpec step = get("/status/503");
  const ProbeResult result = probe(step);
  CHECK(result.gotResponse());
  CHECK(result.status == 503);
  const prober::Verdict verdict = prober::judge(step, result, std::chrono::system_clock::now());
  CHECK_FALSE(verdict.passed);
  REQUIRE(verdict.failures.size() == 1);
  CHECK(verdict.failures[0] == "status == 2xx (got 503)");
}

TEST_CASE("a server slower than the timeout times out with a reason") {
  const ProbeResult result = probe(get("/slow?ms=3000"), Millis(300));
  CHECK(result.failure == FailureKind::Timeout);
  CHECK(result.failureMessage == "timed out after 300ms while waiting for the response");
  CHECK(result.totalSeconds < 2.0);
}

TEST_CASE("a closed port is connection refused") {
  unsigned short port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  StepSpec step = get("/");
  step.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const ProbeResult result = probe(step);
  CHECK(result.failure == FailureKind::ConnectionRefused);
  CHECK(result.failureMessage == "connection refused");
  CHECK(result.status == 0);
}

TEST_CASE("an unresolvable host is a DNS failure naming the host") {
  StepSpec step = get("/");
  step.url = "http://prober-test.invalid/";
  const ProbeResult result = probe(step);
  CHECK(result.failure == FailureKind::DnsFailed);
  CHECK(result.failureMessage == "DNS lookup failed for prober-test.invalid");
}

TEST_CASE("a body over body_size_limit fails the probe; one under it is kept whole") {
  StepSpec big = get("/bytes?n=5000");
  big.bodySizeLimit = 1000;
  const ProbeResult over = probe(big);
  CHECK(over.failure == FailureKind::BodyTooLarge);
  CHECK(over.failureMessage == "response body is larger than body_size_limit (1000B)");
  CHECK(over.body.size() <= 1000);

  const ProbeResult under = probe(get("/bytes?n=5000"));
  CHECK(under.failure == FailureKind::None);
  CHECK(under.bodySize == 5000);
}

TEST_CASE("a redirect chain is followed and counted") {
  const ProbeResult result = probe(get("/redirect/3"));
  CHECK(result.failure == FailureKind::None);
  CHECK(result.status == 200);
  CHECK(result.redirects == 3);
  CHECK(result.finalUrl == url("/ok"));

  StepSpec noFollow = get("/redirect/3");
  noFollow.followRedirects = false;
  const ProbeResult first = probe(noFollow);
  CHECK(first.status == 302);
  CHECK(first.redirects == 0);
  REQUIRE(first.header("Location") != nullptr);
  CHECK(*first.header("Location") == "/redirect/2");
}

TEST_CASE("a redirect loop stops at the limit with a reason") {
  const ProbeResult result = probe(get("/loop"));
  CHECK(result.failure == FailureKind::TooManyRedirects);
  CHECK(result.failureMessage == "too many redirects (more than 10)");
}

TEST_CASE("a reply that is not HTTP, or no reply at all, is a protocol error with a reason") {
  const ProbeResult garbage = probe(get("/garbage"));
  CHECK(garbage.failure == FailureKind::ProtocolError);
  CHECK(garbage.failureMessage.rfind("the server's answer is not HTTP: it begins \"this is", 0) ==
        0);
  CHECK(garbage.status == 0);

  const ProbeResult closed = probe(get("/close"));
  CHECK(closed.failure == FailureKind::ProtocolError);
  CHECK(closed.failureMessage == "server closed the connection without sending a response");
}

TEST_CASE("method, headers and body are sent") {
  StepSpec step = get("/echo");
  step.method = "POST";
  prober::StepContent content;
  content.body = "hello";
  content.headers = {{"Content-Type", "text/plain"}};
  step.content = prober::SharedValue<prober::StepContent>(content);
  const ProbeResult result = probe(step);
  CHECK(result.status == 200);
  CHECK(result.body == "POST hello");
}

TEST_CASE("a reused handle carries nothing of the request before into a plain GET") {
  asio::io_context io;
  prober::CurlEngine engine(io, 1, "prober-test");  // one idle handle: the second reuses it
  const auto send = [&](const prober::HttpRequest& request) {
    std::optional<ProbeResult> result;
    engine.send(request, [&](ProbeResult r) { result = std::move(r); });
    runUntil(io, [&] { return result.has_value(); });
    REQUIRE(result.has_value());
    return *result;
  };
  prober::HttpRequest heavy;
  heavy.method = "PUT";
  heavy.url = url("/echo/request");
  heavy.body = "payload";
  heavy.headers = {{"X-Only-Once", "yes"}};
  heavy.basicAuth = std::make_pair(std::string("user"), std::string("pass"));
  heavy.httpVersion = 11;
  const ProbeResult first = send(heavy);
  REQUIRE(first.status == 200);
  CHECK(first.body.find("\"method\":\"PUT\"") != std::string::npos);
  CHECK(first.body.find("x-only-once") != std::string::npos);
  CHECK(first.body.find("authorization") != std::string::npos);

  prober::HttpRequest plain;
  plain.url = url("/echo/request");
  for (int round = 0; round < 2; ++round) {  // and a plain one after a plain one
    const ProbeResult next = send(plain);
    REQUIRE(next.status == 200);
    CAPTURE(next.body);
    CHECK(next.body.find("\"method\":\"GET\"") != std::string::npos);
    CHECK(next.body.find("\"body\":\"\"") != std::string::npos);
    CHECK(next.body.find("x-only-once") == std::string::npos);
    CHECK(next.body.find("authorization") == std::string::npos);
    CHECK(next.body.find("\"user-agent\":\"prober-test\"") != std::string::npos);
    CHECK(next.body.find("expect") == std::string::npos);
  }
}

TEST_CASE("hundreds of concurrent probes all complete, each exactly once") {
  asio::io_context io;
  prober::CurlEngine engine(io, 50, "prober-test");
  constexpr int kProbes = 300;
  int completed = 0;
  int ok = 0;
  for (int i = 0; i < kProbes; ++i) {
    StepSpec step = get(i % 3 == 0 ? "/status/503" : (i % 3 == 1 ? "/ok" : "/redirect/2"));
    engine.send(prober::requestFor(step, Millis(10000)), [&](ProbeResult r) {
      ++completed;
      ok += r.gotResponse() ? 1 : 0;
    });
  }
  runUntil(io, [&] { return completed == kProbes; });
  CHECK(completed == kProbes);
  CHECK(ok == kProbes);
  CHECK(engine.inFlight() == 0);
}

TEST_CASE("cancelAll abandons probes without calling back") {
  asio::io_context io;
  prober::CurlEngine engine(io, 4, "prober-test");
  int called = 0;
  engine.send(prober::requestFor(get("/slow?ms=2000"), Millis(5000)),
              [&](ProbeResult) { ++called; });
  io.run_for(100ms);
  CHECK(engine.inFlight() == 1);
  engine.cancelAll();
  io.run_for(100ms);
  CHECK(engine.inFlight() == 0);
  CHECK(called == 0);
}

TEST_CASE("a whole check run judges assertions and reports the failed one with its value") {
  asio::io_context io;
  prober::CurlEngine engine(io, 4, "prober-test");
  prober::SystemClock clock;
  auto spec = std::make_shared<prober::CheckSpec>();
  spec->name = "down";
  spec->timeout = Millis(2000);
  StepSpec step = get("/status/503");
  std::string error;
  step.assertions.push_back(*prober::Assertion::parse("status == 200", error));
  step.assertions.push_back(*prober::Assertion::parse("latency < 2s", error));
  spec->steps.push_back(step);
  prober::RunResultPtr result;
  prober::HttpProber(engine, clock).run(spec, [&](prober::RunResultPtr r) {
    result = std::move(r);
  });
  runUntil(io, [&] { return result != nullptr; });
  REQUIRE(result);
  CHECK_FALSE(result->passed);
  CHECK(result->firstFailure() == "status == 200 (got 503)");
  CHECK(result->steps.size() == 1);
  // The content went once judged (a step's outcome has no body); its size stays.
  CHECK(result->steps[0].probe.bodySize == std::string("status 503").size());
  CHECK(result->durationSeconds > 0);
}

// --- The engine's own turns: actions it runs without the loop, sockets the poller watches ---

namespace {

prober::HttpRequest request(const std::string& path, Millis timeout = Millis(3000)) {
  return prober::requestFor(get(path), timeout);
}

}  // namespace

TEST_CASE("a body of megabytes arrives whole: a socket curl still reads is re-armed") {
  // curl reads a socket a buffer at a time; an edge-triggered set reports it once, so every
  // round after the first depends on the re-arm.
  StepSpec big = get("/bytes?n=3000000");
  big.bodySizeLimit = 4000000;
  const ProbeResult result = probe(big, Millis(10000));
  CHECK(result.failure == FailureKind::None);
  CHECK(result.bodySize == 3000000);
}

TEST_CASE("send() never calls back from inside itself, even when its action ends another") {
  asio::io_context io;
  prober::CurlEngine engine(io, 4, "prober-test");
  std::optional<ProbeResult> first;
  std::optional<ProbeResult> second;
  engine.send(request("/slow?ms=3000", Millis(200)), [&](ProbeResult r) { first = r; });
  io.run_for(50ms);                    // connected, request sent
  std::this_thread::sleep_for(300ms);  // its deadline passes while the loop is not running
  bool insideSend = true;
  engine.send(request("/ok"), [&](ProbeResult r) {
    second = r;
    CHECK_FALSE(insideSend);
  });
  CHECK_FALSE(first.has_value());  // its end was seen inside send(), not called back there
  CHECK(engine.inFlight() == 1);
  insideSend = false;
  runUntil(io, [&] { return first && second; });
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->failure == FailureKind::Timeout);
  CHECK(second->status == 200);
  CHECK(engine.inFlight() == 0);
}

TEST_CASE("cancelAll right after such a send() calls nothing back") {
  asio::io_context io;
  prober::CurlEngine engine(io, 4, "prober-test");
  int calls = 0;
  engine.send(request("/slow?ms=3000", Millis(200)), [&](ProbeResult) { ++calls; });
  io.run_for(50ms);
  std::this_thread::sleep_for(300ms);
  engine.send(request("/ok"), [&](ProbeResult) { ++calls; });
  engine.cancelAll();
  io.run_for(500ms);
  CHECK(calls == 0);
  CHECK(engine.inFlight() == 0);
}

TEST_CASE("chains of sends from callbacks, with fans of them, all complete exactly once") {
  asio::io_context io;
  prober::CurlEngine engine(io, 8, "prober-test");
  int done = 0;
  int failed = 0;
  std::function<void(int)> chain = [&](int left) {
    engine.send(request("/ok"), [&, left](ProbeResult r) {
      failed += r.status == 200 ? 0 : 1;
      ++done;
      if (left == 0) {
        return;
      }
      chain(left - 1);
      if (left % 10 == 0) {
        for (int i = 0; i < 20; ++i) {
          engine.send(request("/ok"), [&](ProbeResult r2) {
            failed += r2.status == 200 ? 0 : 1;
            ++done;
          });
        }
      }
    });
  };
  chain(100);
  constexpr int kExpected = 101 + 10 * 20;
  runUntil(io, [&] { return done == kExpected; });
  io.run_for(100ms);  // nothing is called back twice
  CHECK(done == kExpected);
  CHECK(failed == 0);
  CHECK(engine.inFlight() == 0);
}

TEST_CASE("refused, then answered, then refused again, each started from a callback") {
  asio::io_context io;
  prober::CurlEngine engine(io, 2, "prober-test");
  prober::HttpRequest refused;
  refused.url = "http://127.0.0.1:1/";
  refused.timeout = Millis(2000);
  std::vector<ProbeResult> results;
  engine.send(refused, [&](ProbeResult r) {
    results.push_back(r);
    engine.send(request("/ok"), [&](ProbeResult r2) {
      results.push_back(r2);
      engine.send(refused, [&](ProbeResult r3) { results.push_back(r3); });
    });
  });
  runUntil(io, [&] { return results.size() == 3; });
  REQUIRE(results.size() == 3);
  CHECK(results[0].failure == FailureKind::ConnectionRefused);
  CHECK(results[1].status == 200);
  CHECK(results[2].failure == FailureKind::ConnectionRefused);
}

TEST_CASE("an engine destroyed with a call-back still to come calls nothing") {
  int calls = 0;
  asio::io_context io;
  {
    prober::CurlEngine engine(io, 4, "prober-test");
    engine.send(request("/slow?ms=3000", Millis(200)), [&](ProbeResult) { ++calls; });
    io.run_for(50ms);
    std::this_thread::sleep_for(300ms);
    engine.send(request("/ok"), [&](ProbeResult) { ++calls; });
  }
  io.run_for(300ms);
  CHECK(calls == 0);
}
