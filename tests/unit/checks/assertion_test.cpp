// Assertions: every source and operator, values, status classes, and their messages.
#include <doctest/doctest.h>

#include <chrono>

#include "checks/assertion.h"

using namespace std::chrono_literals;
using prober::Assertion;
using prober::ProbeResult;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

ProbeResult sampleResult() {
  ProbeResult result;
  result.status = 503;
  result.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"X-Count", "42"}};
  result.body = R"({"status":"DOWN","items":[{"id":7},{"id":8}],"count":3,"ok":false,"none":null,)"
                R"("name":"prober","tags":["a","b"],"ratio":0.5})";
  result.bodySize = result.body.size();
  result.totalSeconds = 0.0417;
  result.redirects = 2;
  result.tls = true;
  result.certExpiry = kNow + std::chrono::hours(24 * 30);
  return result;
}

// "" when it passes; the failure message otherwise.
std::string run(const std::string& text, const ProbeResult& result = sampleResult()) {
  std::string error;
  auto assertion = Assertion::parse(text, error);
  REQUIRE_MESSAGE(assertion.has_value(), (text + ": " + error));
  prober::EvaluationContext context(result, kNow);
  const auto outcome = assertion->evaluate(context);
  return outcome.passed ? "" : outcome.message;
}

std::string parseError(const std::string& text) {
  std::string error;
  CHECK_FALSE(Assertion::parse(text, error).has_value());
  return error;
}

}  // namespace

TEST_CASE("status: numbers, classes, lists and orderings") {
  CHECK(run("status == 503") == "");
  CHECK(run("status == 200") == "status == 200 (got 503)");
  CHECK(run("status != 200") == "");
  CHECK(run("status == 5xx") == "");
  CHECK(run("status == 2xx") == "status == 2xx (got 503)");
  CHECK(run("status != 2xx") == "");
  CHECK(run("status in [200, 204]") == "status in [200, 204] (got 503)");
  CHECK(run("status in [2xx, 503]") == "");
  CHECK(run("status >= 500") == "");
  CHECK(run("status < 400") == "status < 400 (got 503)");
  CHECK(run("status <= 503") == "");
  CHECK(run("status > 503") == "status > 503 (got 503)");
}

TEST_CASE("latency compares with durations") {
  CHECK(run("latency < 500ms") == "");
  CHECK(run("latency < 10ms") == "latency < 10ms (got 41.7ms)");
  CHECK(run("latency >= 1s") == "latency >= 1s (got 41.7ms)");
}

TEST_CASE("header: case-insensitive name, string and number comparisons") {
  CHECK(run(R"(header content-type contains "json")") == "");
  CHECK(run(R"(header Content-Type contains "xml")") ==
        R"(header Content-Type contains "xml" (got "application/json; charset=utf-8"))");
  CHECK(run(R"(header Content-Type !contains "xml")") == "");
  CHECK(run(R"(header Content-Type == "application/json; charset=utf-8")") == "");
  CHECK(run(R"(header Content-Type != "text/html")") == "");
  CHECK(run("header Content-Type matches /^application\\/json/") == "");
  CHECK(run("header Content-Type !matches /html/") == "");
  CHECK(run("header X-Count > 40") == "");
  CHECK(run("header X-Count == 42") == "");
  CHECK(run("header Content-Type > 1") ==
        R"(header Content-Type > 1 (got "application/json; charset=utf-8", not a number))");
  CHECK(run("header X-Missing exists") == "header X-Missing exists (no X-Missing header)");
  CHECK(run("header X-Missing !exists") == "");
  CHECK(run("header X-Count !exists") == R"(header X-Count !exists (got "42"))");
  CHECK(run(R"(header X-Missing contains "a")") ==
        R"(header X-Missing contains "a" (no X-Missing header))");
}

TEST_CASE("body: contains, equality and RE2 regexes") {
  CHECK(run(R"(body contains "DOWN")") == "");
  CHECK(run(R"(body contains "UP")").rfind(R"(body contains "UP" (got "{\"status\")", 0) == 0);
  CHECK(run(R"(body !contains "UP")") == "");
  CHECK(run(R"(body matches /"count":\d+/)") == "");
  CHECK(run(R"(body matches /STATUS/i)") == "");
  CHECK(run(R"(body !matches /"count":\d+/)").rfind(R"(body !matches /"count":\d+/ (got)", 0) == 0);
  ProbeResult plain;
  plain.status = 200;
  plain.body = "ok";
  CHECK(run(R"(body == "ok")", plain) == "");
  CHECK(run(R"(body != "ok")", plain) == R"(body != "ok" (got "ok"))");
}

TEST_CASE("a long actual value is shortened in the message") {
  ProbeResult big;
  big.body = std::string(500, 'x');
  const std::string message = run(R"(body contains "y")", big);
  CHECK(message.size() < 200);
  CHECK(message.find("...") != std::string::npos);
}

TEST_CASE("json: every kind of value") {
  CHECK(run(R"(json $.status == "DOWN")") == "");
  CHECK(run(R"(json $.status == "UP")") == R"(json $.status == "UP" (got "DOWN"))");
  CHECK(run("json $.count == 3") == "");
  CHECK(run("json $.count > 2") == "");
  CHECK(run("json $.count < 2") == "json $.count < 2 (got 3)");
  CHECK(run("json $.ratio <= 0.5") == "");
  CHECK(run("json $.ok == false") == "");
  CHECK(run("json $.ok == true") == "json $.ok == true (got false)");
  CHECK(run("json $.none == null") == "");
  CHECK(run("json $.items[1].id == 8") == "");
  CHECK(run(R"(json $.count == "3")") == R"(json $.count == "3" (got 3))");
  CHECK(run("json $.status > 1") == R"(json $.status > 1 (got "DOWN", not a number))");
  CHECK(run(R"(json $.tags contains "b")") == "");
  CHECK(run(R"(json $.tags !contains "c")") == "");
  CHECK(run(R"(json $.name contains "rob")") == "");
  CHECK(run("json $.name matches /^pro/") == "");
  CHECK(run(R"(json $.status in ["UP", "DEGRADED"])") ==
        R"(json $.status in ["UP", "DEGRADED"] (got "DOWN"))");
  CHECK(run(R"(json $.status in ["UP", "DOWN"])") == "");
  CHECK(run("json $.items exists") == "");
  CHECK(run("json $.nothing exists") == "json $.nothing exists ($.nothing not found)");
  CHECK(run("json $.nothing !exists") == "");
  CHECK(run("json $.items[9].id == 1") == "json $.items[9].id == 1 ($.items[9] not found)");
}

TEST_CASE("json on a body that is not JSON says so") {
  ProbeResult html;
  html.status = 200;
  html.body = "<html>";
  CHECK(run(R"(json $.status == "UP")", html)
            .rfind(R"(json $.status == "UP" (body is not JSON: )", 0) == 0);
  ProbeResult empty;
  CHECK(run("json $.a exists", empty) == "json $.a exists (body is empty, not JSON)");
}

TEST_CASE("len() of arrays, objects and strings") {
  CHECK(run("len(json $.items) == 2") == "");
  CHECK(run("len(json $.items) > 5") == "len(json $.items) > 5 (got 2)");
  CHECK(run("len(json $.name) == 6") == "");
  CHECK(run("len(json $.items[0]) == 1") == "");
  CHECK(run("len(json $) >= 8") == "");
  CHECK(run("len(json $.count) == 1") ==
        "len(json $.count) == 1 ($.count is 3, which has no length)");
  CHECK(run("len(json $.nope) == 0") == "len(json $.nope) == 0 ($.nope not found)");
}

TEST_CASE("size, redirects and cert_expiry") {
  const ProbeResult result = sampleResult();
  CHECK(run("size == " + std::to_string(result.bodySize)) == "");
  CHECK(run("size < 10") == "size < 10 (got " + std::to_string(result.bodySize) + ")");
  CHECK(run("redirects == 2") == "");
  CHECK(run("redirects <= 1") == "redirects <= 1 (got 2)");
  CHECK(run("cert_expiry > 14d") == "");
  CHECK(run("cert_expiry > 60d") == "cert_expiry > 60d (got 30d)");
  CHECK(run("cert_expiry exists") == "");
  ProbeResult plain;
  CHECK(run("cert_expiry > 14d", plain) == "cert_expiry > 14d (not a TLS connection)");
}

TEST_CASE("malformed assertions are refused with the reason") {
  CHECK(parseError("") == "empty assertion");
  CHECK(parseError("stauts == 200") ==
        "unknown source \"stauts\" (expected status, latency, header, body, json, len(json ...), "
        "size, cert_expiry or redirects)");
  CHECK(parseError("status === 200") ==
        "unknown operator \"===\" (expected ==, !=, <, <=, >, >=, contains, !contains, matches, "
        "!matches, exists, !exists, in)");
  CHECK(parseError("status") ==
        "missing operator (==, !=, <, <=, >, >=, contains, !contains, matches, !matches, exists, "
        "!exists, in)");
  CHECK(parseError("status ==") == "== needs a value to compare with");
  CHECK(parseError("status == abc") ==
        "\"abc\" is not a value (expected a number, a duration like 500ms, a \"string\", true, "
        "false, null or a status class like 2xx)");
  CHECK(parseError("latency < 500") ==
        "latency is compared with a duration like 500ms or 14d, not 500");
  CHECK(parseError("status == \"200\"") ==
        "status is compared with a number or a status class like 2xx, not \"200\"");
  CHECK(parseError("status contains \"2\"") ==
        "status is a number; contains applies to header, body and json");
  CHECK(parseError("status exists") ==
        "status always exists; exists applies to header, json and cert_expiry");
  CHECK(parseError("body matches /(unclosed/") ==
        "invalid regex /(unclosed/: missing ): (unclosed");
  CHECK(parseError("body matches /abc") == "regex is missing its closing slash");
  CHECK(parseError("body matches abc") == "matches takes a regex between slashes: matches /^ok$/");
  CHECK(parseError("status in 200") == "in takes a list: in [200, 204]");
  CHECK(parseError("status in [200, 204") == "list is missing its closing ]");
  CHECK(parseError("status == 200 extra") == "unexpected \"extra\" after the assertion");
  CHECK(parseError("json status == 1") == "JSON path \"status\" must start with $");
  CHECK(parseError("header == 1") == "\"==\" is not a valid header name");
  CHECK(parseError("len(json $.a == 1") == "len(json PATH) is missing its closing parenthesis");
  CHECK(parseError("len(body) == 1") == "len() takes a JSON path: len(json $.items)");
  CHECK(parseError("status > 2xx") == "status is compared with a number, not 2xx");
  CHECK(parseError("body contains \"open") == "unterminated string");
}

TEST_CASE("an assertion is compiled once and evaluated many times") {
  std::string error;
  auto assertion = Assertion::parse(R"(body matches /^(a|b)+$/)", error);
  REQUIRE(assertion);
  ProbeResult result;
  result.body = std::string(1 << 20, 'a');  // 1 MiB: RE2 runs in linear time, no stack overflow
  for (int i = 0; i < 3; ++i) {
    prober::EvaluationContext context(result, kNow);
    CHECK(assertion->evaluate(context).passed);
  }
}

TEST_CASE("a quoted value shows no secret, not even the piece a shortened quote would keep") {
  const std::vector<prober::Secret> secrets = {{"tok-SECRET-123456", "${TOKEN}"}};
  ProbeResult result = sampleResult();
  // The secret straddles the 120th character, where a long value is cut.
  result.body = std::string(112, 'x') + "tok-SECRET-123456" + std::string(40, 'y');
  std::string error;
  const auto body = Assertion::parse(R"(body == "x")", error);
  REQUIRE(body.has_value());
  prober::EvaluationContext plain(result, kNow);
  CHECK(body->evaluate(plain).message.find("tok-SEC") != std::string::npos);  // what would leak
  prober::EvaluationContext guarded(result, kNow, &secrets);
  const std::string message = body->evaluate(guarded).message;
  CHECK(message.find("tok-") == std::string::npos);
  CHECK(message.find(std::string(112, 'x') + "${TOKEN}") != std::string::npos);

  result.body = R"({"echo":"Bearer tok-SECRET-123456"})";
  const auto json = Assertion::parse(R"(json $.echo == "x")", error);
  REQUIRE(json.has_value());
  prober::EvaluationContext jsonContext(result, kNow, &secrets);
  CHECK(json->evaluate(jsonContext).message == R"(json $.echo == "x" (got "Bearer ${TOKEN}"))");
}

TEST_CASE("numbers in failure messages read as people write them") {
  ProbeResult result = sampleResult();
  result.body = R"({"price":24.99,"count":10.0,"tiny":0.000968495,"big":1e21,"list":[1.5,2]})";
  CHECK(run("json $.price > 25", result) == "json $.price > 25 (got 24.99)");
  CHECK(run("json $.count != 10", result) == "json $.count != 10 (got 10)");
  CHECK(run("json $.tiny > 1", result) == "json $.tiny > 1 (got 0.000968495)");
  CHECK(run("json $.list == 1", result) == "json $.list == 1 (got [1.5,2])");
  CHECK(run("json $.big < 1", result) == "json $.big < 1 (got 1e+21)");
  CHECK(run("latency < 1ms") == "latency < 1ms (got 41.7ms)");
}

TEST_CASE("quoted values are valid UTF-8, cut at 120 characters between characters") {
  ProbeResult result = sampleResult();
  result.body.clear();
  for (int i = 0; i < 130; ++i) {
    result.body += "\xC3\xA9";  // é: a cut at 120 bytes would split one
  }
  std::string expected = "body contains \"x\" (got \"";
  for (int i = 0; i < 120; ++i) {
    expected += "\xC3\xA9";
  }
  CHECK(run(R"(body contains "x")", result) == expected + "...\")");
  result.body = "ok \xFF\x1B[31m";
  CHECK(run(R"(body contains "x")", result) ==
        "body contains \"x\" (got \"ok \xEF\xBF\xBD\\u001b[31m\")");
}
