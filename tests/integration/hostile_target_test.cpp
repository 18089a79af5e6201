// What hostile targets send, end to end through the real loader and engine: every failure
// message stays valid UTF-8, is cut between characters, and says what happened.
#include <doctest/doctest.h>

#include <chrono>

#include "checks/text.h"
#include "tests/support/run_check.h"

namespace {

using prober::testing::runToml;

std::string firstFailure(const prober::RunResultPtr& result) {
  REQUIRE(result != nullptr);
  const auto failures = result->failures();
  REQUIRE_FALSE(failures.empty());
  return failures.front();
}

std::string check(const std::string& path, const std::string& extra) {
  return "[[check]]\nname = \"hostile\"\nurl = \"http://127.0.0.1:PORT" + path +
         "\"\ninterval = \"5s\"\ntimeout = \"1s\"\n" + extra;
}

}  // namespace

TEST_CASE("invalid UTF-8 in a body is replaced in the failure message, not passed on") {
  const auto result = runToml(check("/hostile/invalid-utf8", R"(assert = ['body contains "nope"'])"));
  const std::string failure = firstFailure(result);
  CHECK(prober::isValidUtf8(failure));
  CHECK(failure == "body contains \"nope\" (got \"hello \xEF\xBF\xBD\xEF\xBF\xBD world\xEF\xBF\xBD\")");
}

TEST_CASE("invalid UTF-8 in a header is replaced in the failure message") {
  const auto result = runToml(check("/hostile/invalid-utf8", R"(assert = ['header X-Weird == "x"'])"));
  const std::string failure = firstFailure(result);
  CHECK(prober::isValidUtf8(failure));
  CHECK(failure == "header X-Weird == \"x\" (got \"\xEF\xBF\xBD(\xEF\xBF\xBD\")");
}

TEST_CASE("a long quoted value is cut between characters, at 120 characters") {
  const auto result = runToml(check("/hostile/accents", R"(assert = ['json $.status == "UP"'])"));
  const std::string failure = firstFailure(result);
  REQUIRE(prober::isValidUtf8(failure));
  // The value: 40 é, " DÖWN — 障害", quoted as JSON: 55 characters, short enough to keep whole.
  std::string expected = "json $.status == \"UP\" (got \"";
  for (int i = 0; i < 40; ++i) {
    expected += "\xC3\xA9";
  }
  expected += " D\xC3\x96WN \xE2\x80\x94 \xE9\x9A\x9C\xE5\xAE\xB3\")";
  CHECK(failure == expected);

  const auto body = runToml(check("/hostile/accents", R"(assert = ['body contains "UP"'])"));
  const std::string bodyFailure = firstFailure(body);
  REQUIRE(prober::isValidUtf8(bodyFailure));
  // The body is 64 characters (94 bytes): 120 bytes would have cut inside a character.
  CHECK(bodyFailure.find("\xE9\x9A\x9C\xE5\xAE\xB3") != std::string::npos);
}

TEST_CASE("a header line over curl's limit is named as a header too large") {
  const auto result = runToml(check("/hostile/big-header", ""));
  CHECK(firstFailure(result) ==
        "response header too large: a header line is over curl's 100 KiB limit");
}

TEST_CASE("headers trickled a byte at a time time out while reading the headers") {
  const auto result = runToml(check("/hostile/trickle-headers", ""));
  CHECK(firstFailure(result) == "timed out after 1s while reading the response headers");
}

TEST_CASE("a Content-Length over body_size_limit fails at once with body_too_large") {
  const auto result = runToml(check("/hostile/huge-length", "body_size_limit = \"1MiB\"\n"));
  REQUIRE(result != nullptr);
  CHECK(firstFailure(result) == "response body is larger than body_size_limit (1MiB)");
  CHECK(result->failureReason() == prober::FailureReason::BodyTooLarge);
}

TEST_CASE("TLS bytes on an http:// URL say the server answered with TLS") {
  const auto result = runToml(check("/hostile/tls", ""));
  CHECK(firstFailure(result) == "the server answered with TLS, not plain HTTP: use an https:// URL");
}

TEST_CASE("an answer that is not HTTP says so and quotes its start") {
  const auto result = runToml(check("/garbage", ""));
  CHECK(firstFailure(result) ==
        "the server's answer is not HTTP: it begins \"this is not HTTP at all\\r\\n\\r\\n\"");
}

TEST_CASE("a status line sent a byte at a time times out while reading the headers, as HTTP") {
  // "HTTP/1.1 200 OK" is HTTP whose headers never end, not an answer that is not HTTP.
  const auto result = runToml(check("/hostile/trickle-status", ""));
  CHECK(firstFailure(result) == "timed out after 1s while reading the response headers");
}

TEST_CASE("TLS bytes on an open connection fail at once as a protocol error, not a timeout") {
  // At once: the failure is the protocol, not the 1 s timeout (a timeout would say so).
  const auto result = runToml(check("/hostile/tls-open", ""));
  REQUIRE(result != nullptr);
  CHECK(firstFailure(result) ==
        "the server answered with TLS, not plain HTTP: use an https:// URL");
  CHECK(result->failureReason() == prober::FailureReason::Protocol);
}
