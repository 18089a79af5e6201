// Running an HTTP check, with the fake engine and simulated time: steps in order, values extracted
// from one answer filled into the next request, the first failed step ending the run.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>

#include "checks/config/config_loader.h"
#include "prober/engine/check_prober.h"
#include "prober/engine/http_prober.h"
#include "tests/fakes/fake_http_engine.h"
#include "tests/fakes/manual_clock.h"

namespace {

std::shared_ptr<const prober::CheckSpec> load(const std::string& toml) {
  const auto loaded = prober::loadConfigText(toml, "/nonexistent/runner.toml",
                                             [](const std::string&) { return std::nullopt; });
  for (const auto& error : loaded.errors) {
    MESSAGE(prober::toString(error));
  }
  REQUIRE(loaded.config.has_value());
  REQUIRE(loaded.config->checks.size() == 1);
  return loaded.config->checks.front();
}

const char* kFlow = R"(
[[check]]
name = "flow"
  [[check.step]]
  name = "login"
  method = "POST"
  url = "http://api.test/login"
  assert = ["status == 200"]
  extract = { token = "json $.token" }
  [[check.step]]
  name = "me"
  url = "http://api.test/me"
  headers = { Authorization = "Bearer {{token}}" }
  assert = ['json $.user == "synthetic"']
)";

}  // namespace

TEST_CASE("a flow runs its steps in order and fills the next request from the last answer") {
  prober::testing::FakeHttpEngine engine;
  prober::testing::ManualClock clock;
  prober::RunResultPtr result;
  prober::HttpProber(engine, clock).run(load(kFlow), [&](prober::RunResultPtr r) { result = r; });
  REQUIRE(engine.requests.size() == 1);
  CHECK(engine.requests.front().request.url == "http://api.test/login");
  CHECK(engine.requests.front().request.method == "POST");
  engine.answer(200, R"({"token":"t-42"})");
  REQUIRE(engine.requests.size() == 1);
  CHECK(engine.requests.front().request.url == "http://api.test/me");
  const auto& headers = engine.requests.front().request.headers;
  CHECK(std::find(headers.begin(), headers.end(),
                  std::pair<std::string, std::string>{"Authorization", "Bearer t-42"}) !=
        headers.end());
  CHECK(result == nullptr);  // not done until the last step answers
  engine.answer(200, R"({"user":"synthetic"})");
  REQUIRE(result != nullptr);
  CHECK(result->passed);
  CHECK(result->steps.size() == 2);
}

TEST_CASE("the first failed step ends the run; later steps are not sent") {
  prober::testing::FakeHttpEngine engine;
  prober::testing::ManualClock clock;
  prober::RunResultPtr result;
  prober::HttpProber(engine, clock).run(load(kFlow), [&](prober::RunResultPtr r) { result = r; });
  engine.answer(401, R"({"error":"wrong password"})");
  REQUIRE(result != nullptr);
  CHECK(engine.requests.empty());
  CHECK_FALSE(result->passed);
  CHECK(result->steps.size() == 1);
  CHECK(result->failures() == std::vector<std::string>{"step login: status == 200 (got 401)"});
}

TEST_CASE("simulated time: many timers fire in deadline order, each once") {
  prober::testing::ManualClock clock;
  auto a = clock.newTimer();
  auto b = clock.newTimer();
  std::vector<std::string> fired;
  const auto start = clock.now();
  a->armAt(start + std::chrono::seconds(30), [&] { fired.push_back("a@30"); });
  b->armAt(start + std::chrono::seconds(10), [&] {
    fired.push_back("b@10");
    b->armAt(clock.now() + std::chrono::seconds(10), [&] { fired.push_back("b@20"); });
  });
  clock.armAt(start + std::chrono::seconds(25), [&] { fired.push_back("clock@25"); });
  CHECK(clock.advance(std::chrono::seconds(29)) == 3);
  CHECK(fired == std::vector<std::string>{"b@10", "b@20", "clock@25"});
  CHECK(clock.armedTimers() == 1);
  CHECK(clock.advance(std::chrono::seconds(1)) == 1);
  CHECK(fired.back() == "a@30");
  CHECK(clock.now() == start + std::chrono::seconds(30));
}

TEST_CASE("check probers: a check runs on its kind's prober, and cancelling reaches it") {
  prober::testing::FakeHttpEngine engine;
  prober::testing::ManualClock clock;
  prober::CheckProbers probers(engine, clock);
  const auto spec = load(kFlow);
  CHECK(spec->kind == prober::CheckKind::Http);
  CHECK(prober::checkKindName(spec->kind) == "http");
  int finished = 0;
  probers.run(spec, [&](prober::RunResultPtr) { ++finished; });
  REQUIRE(engine.requests.size() == 1);  // the HTTP prober sent the first step
  CHECK(engine.requests.front().request.url == "http://api.test/login");
  probers.cancelAll();
  CHECK(engine.requests.empty());  // abandoned: its callback never runs
  CHECK(finished == 0);
}
