// Every request option, loaded from TOML and sent by the real engine to a target server that
// echoes what it received (GET /echo/request answers with method, target, headers and body as
// JSON), judged by the check's own assertions.
#include <doctest/doctest.h>

#include "tests/support/run_check.h"

namespace {

using prober::testing::loadErrors;
using prober::testing::runToml;

void requirePassed(const prober::RunResultPtr& result) {
  for (const auto& step : result->steps) {
    CAPTURE(step.name);
    CAPTURE(step.verdict);
    CHECK(step.verdict.passed);
  }
  CHECK(result->passed);
}

}  // namespace

TEST_CASE("method, query, headers, form body and basic auth arrive as configured") {
  requirePassed(runToml(R"(
[[check]]
name = "options"
method = "PUT"
url = "http://127.0.0.1:PORT/echo/request?fixed=1"
query = { q = "a b&c", token = "${API_TOKEN}" }
headers = { X-Custom = "yes" }
form = { name = "Zoë", plus = "1+1" }
basic_auth = { username = "synthetic", password = "${API_TOKEN}" }
http_version = "1.1"
ip_version = 4
assert = [
  'json $.method == "PUT"',
  'json $.target == "/echo/request?fixed=1&q=a%20b%26c&token=s3cret"',
  'json $.headers["x-custom"] == "yes"',
  'json $.headers["content-type"] == "application/x-www-form-urlencoded"',
  'json $.body == "name=Zo%C3%AB&plus=1%2B1"',
  'json $.headers.authorization == "Basic c3ludGhldGljOnMzY3JldA=="',
  'json $.version == 11',
]
)"));
}

TEST_CASE("a bearer token, a raw body and a query without a url query string") {
  requirePassed(runToml(R"(
[[check]]
name = "bearer"
method = "POST"
url = "http://127.0.0.1:PORT/echo/request"
query = { page = "2" }
body = "raw text, sent as is"
bearer_token = "${API_TOKEN}"
assert = [
  'json $.method == "POST"',
  'json $.target == "/echo/request?page=2"',
  'json $.headers.authorization == "Bearer s3cret"',
  'json $.body == "raw text, sent as is"',
]
)"));
}

TEST_CASE("a bearer token taken from an earlier step, and placeholders in query and form") {
  requirePassed(runToml(R"(
[[check]]
name = "flow"
  [[check.step]]
  name = "login"
  method = "POST"
  url = "http://127.0.0.1:PORT/login"
  json = { password = "${API_TOKEN}" }
  extract = { token = "json $.token" }
  [[check.step]]
  name = "me"
  url = "http://127.0.0.1:PORT/me"
  bearer_token = "{{token}}"
  expect_status = 200
  [[check.step]]
  name = "echo"
  method = "POST"
  url = "http://127.0.0.1:PORT/echo/request"
  query = { t = "{{token}} x" }
  form = { t = "{{token}}&" }
  assert = ['json $.target matches /^\/echo\/request\?t=tok-[0-9]+%20x$/',
            'json $.body matches /^t=tok-[0-9]+%26$/']
)"));
}

TEST_CASE("expect_status is a status assertion") {
  const auto one = runToml(R"(
[[check]]
name = "expect-one"
url = "http://127.0.0.1:PORT/echo/request"
expect_status = 201
)");
  CHECK_FALSE(one->passed);
  CHECK(one->firstFailure() == "status == 201 (got 200)");
  CHECK(one->steps[0].verdict.reason == prober::FailureReason::HttpStatus);
  requirePassed(runToml(R"(
[[check]]
name = "expect-many"
url = "http://127.0.0.1:PORT/status/404"
expect_status = [200, 404]
)"));
}

TEST_CASE("http_version 2 asks a cleartext server to upgrade to h2c") {
  requirePassed(runToml(R"(
[[check]]
name = "h2"
url = "http://127.0.0.1:PORT/echo/request"
http_version = "2"
assert = ['json $.headers.upgrade == "h2c"']
)"));
}

TEST_CASE("ip_version 6 refuses an IPv4 address; ip_version 4 uses it") {
  const auto six = runToml(R"(
[[check]]
name = "six"
url = "http://127.0.0.1:PORT/echo/request"
ip_version = 6
)");
  CHECK_FALSE(six->passed);
  CAPTURE(six->firstFailure());
  CHECK((six->steps[0].verdict.reason == prober::FailureReason::Dns ||
         six->steps[0].verdict.reason == prober::FailureReason::Connect));
}

TEST_CASE("a proxy carries the request: the origin is never contacted") {
  requirePassed(runToml(R"(
[[check]]
name = "proxied"
url = "http://origin.invalid/thing?x=1"
proxy = "http://127.0.0.1:PORT"
assert = ['body == "proxied GET http://origin.invalid/thing?x=1"']
)"));
}

TEST_CASE("every request option is validated at load with its line and column") {
  CHECK(loadErrors(R"([[check]]
name = "bad"
url = "http://127.0.0.1:PORT/"
method = "POST"
body = "x"
form = { a = "1" }
basic_auth = { user = "u" }
http_version = "3"
ip_version = 5
proxy = "proxy:3128"
expect_status = [200, "x"]
ca_file = "no-such-ca.pem"
client_cert = "no-such-cert.pem"
server_name = "bad name"
query = "q=1"
)") == R"(6:8: check "bad": give one of body, json and form
7:14: check "bad": basic_auth has no username
7:16: unknown key "user" in check "bad" basic_auth
8:16: check "bad": http_version must be "1.1" or "2"
9:14: check "bad": ip_version must be 4 or 6 (leave it out for either)
10:9: check "bad": proxy must be a URL like http://proxy:3128 (http, https, socks5 or socks5h)
11:17: check "bad": expect_status must be a status code from 100 to 599, or an array of them
12:11: check "bad": ca_file: cannot read no-such-ca.pem: No such file or directory
13:15: check "bad": client_cert: cannot read no-such-cert.pem: No such file or directory
13:15: check "bad": client_cert and client_key go together
14:15: check "bad": server_name "bad name" is not a host name
15:9: check "bad": query must be a table of strings
)");
  CHECK(loadErrors(R"([[check]]
name = "worse"
url = "http://127.0.0.1:PORT/"
method = "FETCH"
headers = { "Bad Header" = "x" }
bearer_token = ""
json = "not a table"
follow_redirects = "yes"
max_redirects = -1
tls_verify = 1
body_size_limit = "lots"
client_key = ""
expect_status = 99
)") == R"(4:10: check "worse": method "FETCH" is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS
5:11: check "worse": header "Bad Header" has an invalid name or a line break in its value
6:16: check "worse": bearer_token is empty
7:8: check "worse": json must be a table or an array (raw text goes in body)
8:20: check "worse": follow_redirects must be true or false
9:17: check "worse": max_redirects must be an integer from 0 to 50
10:14: check "worse": tls_verify must be true or false
11:19: check "worse": body_size_limit must be a positive size in bytes, or a string like "512KiB" or "1MiB"
12:14: check "worse": client_key is empty
12:14: check "worse": client_cert and client_key go together
13:17: check "worse": expect_status must be a status code from 100 to 599, or an array of them
)");
  CHECK(loadErrors(R"([[check]]
name = "both"
url = "http://127.0.0.1:PORT/"
headers = { Authorization = "Basic x" }
basic_auth = { username = "a:b", password = "p" }
bearer_token = "t"
)") == R"(5:14: check "both": an Authorization header and basic_auth both set the same header
5:27: check "both": a basic_auth username cannot hold a colon
6:16: check "both": give basic_auth or bearer_token, not both
)");
}
