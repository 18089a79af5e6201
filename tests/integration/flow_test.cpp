// Multi-step checks end to end: TOML with steps, extract and {{placeholders}} loaded by the
// real loader, run by the real engine against the login flow of the target server.
#include <doctest/doctest.h>

#include <regex>

#include "tests/support/run_check.h"

namespace {

using prober::testing::loadCheck;
using prober::testing::runCheckOnce;

const char* kLoginFlow = R"(
[[check]]
name = "login-flow"
interval = "1m"
  [[check.step]]
  name = "login"
  method = "POST"
  url = "http://127.0.0.1:PORT/login"
  json = { user = "synthetic", password = "${SYNTH_PASSWORD}" }
  assert = ["status == 200"]
  extract = { token = "json $.token", session = "header X-Session", id = "json $.user.id", code = "status" }
  [[check.step]]
  name = "me"
  url = "http://127.0.0.1:PORT/me"
  headers = { Authorization = "Bearer {{token}}" }
  assert = ["status == 200", 'json $.user == "synthetic"']
  extract = { user_id = 'body /"id":(\d+)/' }
  [[check.step]]
  name = "item"
  url = "http://127.0.0.1:PORT/items/{{user_id}}-{{id}}-{{code}}-{{ session }}"
  assert = ['json $.id matches /^42-42-200-session-tok-[0-9]+$/']
)";

}  // namespace

TEST_CASE("a login flow passes the token it extracted to the next steps") {
  auto spec = loadCheck(kLoginFlow);
  REQUIRE(spec->steps.size() == 3);
  CHECK(spec->steps[1].hasPlaceholders);
  const prober::RunResultPtr result = runCheckOnce(spec);
  for (const auto& step : result->steps) {
    CAPTURE(step.name);
    CAPTURE(step.verdict);
    CHECK(step.verdict.passed);
  }
  CHECK(result->passed);
  CHECK(result->steps.size() == 3);
  CHECK(result->firstFailure().empty());
}

TEST_CASE("each run logs in anew: the second run uses its own token") {
  auto spec = loadCheck(kLoginFlow);
  CHECK(runCheckOnce(spec)->passed);
  CHECK(runCheckOnce(spec)->passed);  // /me accepts only the newest token
}

TEST_CASE("a wrong password fails the flow at its first step, which is named") {
  std::string toml = kLoginFlow;
  toml = std::regex_replace(toml, std::regex(R"(\$\{SYNTH_PASSWORD\})"), "wrong");
  const prober::RunResultPtr result = runCheckOnce(loadCheck(toml));
  CHECK_FALSE(result->passed);
  CHECK(result->steps.size() == 1);  // later steps do not run
  CHECK(result->firstFailure() == "step login: status == 200 (got 401)");
  CHECK(result->steps[0].verdict.reason == prober::FailureReason::HttpStatus);
}

TEST_CASE("a value that is not in the response fails its step with reason extract") {
  const prober::RunResultPtr result = runCheckOnce(loadCheck(R"(
[[check]]
name = "missing"
  [[check.step]]
  name = "login"
  method = "POST"
  url = "http://127.0.0.1:PORT/login"
  json = { password = "s3cret" }
  extract = { token = "json $.access_token" }
  [[check.step]]
  name = "me"
  url = "http://127.0.0.1:PORT/me"
  headers = { Authorization = "Bearer {{token}}" }
)"));
  CHECK_FALSE(result->passed);
  REQUIRE(result->steps.size() == 1);
  CHECK(result->steps[0].verdict.reason == prober::FailureReason::Extract);
  CHECK(result->firstFailure() ==
        "step login: extract token = 'json $.access_token': $.access_token not found");
}

TEST_CASE("a header extract that is missing, and a body regex that does not match, say so") {
  const prober::RunResultPtr result = runCheckOnce(loadCheck(R"(
[[check]]
name = "missing-header"
  [[check.step]]
  name = "first"
  url = "http://127.0.0.1:PORT/ok"
  extract = { where = "header Location" }
  [[check.step]]
  name = "second"
  url = "http://127.0.0.1:PORT/items/{{where}}"
)"));
  CHECK(result->firstFailure() == "step first: extract where = 'header Location': no Location header");

  const prober::RunResultPtr regex = runCheckOnce(loadCheck(R"(
[[check]]
name = "no-match"
  [[check.step]]
  name = "first"
  url = "http://127.0.0.1:PORT/ok"
  extract = { n = 'body /count=(\d+)/' }
  [[check.step]]
  name = "second"
  url = "http://127.0.0.1:PORT/items/{{n}}"
)"));
  CHECK(regex->firstFailure() ==
        "step first: extract n = 'body /count=(\\d+)/': the body does not match /count=(\\d+)/");
}

TEST_CASE("built-in variables have one value per run, usable in the first step") {
  const prober::RunResultPtr result = runCheckOnce(loadCheck(R"(
[[check]]
name = "builtins"
  [[check.step]]
  name = "create"
  url = "http://127.0.0.1:PORT/items/{{uuid}}"
  extract = { created = "json $.id" }
  [[check.step]]
  name = "read"
  url = "http://127.0.0.1:PORT/items/{{uuid}}.{{random_int}}.{{timestamp}}"
  assert = ['json $.id matches /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.[0-9]+\.[0-9]{10}$/',
            'json $.id contains "{{created}}"']
)"));
  for (const auto& step : result->steps) {
    CAPTURE(step.verdict);
  }
  CHECK(result->steps.size() == 2);
  CHECK(result->steps.back().verdict.failures.size() == 1);  // assertions are not templates
  CHECK(result->steps.back().verdict.failures.front().rfind("json $.id contains \"{{created}}\"", 0) == 0);
}
