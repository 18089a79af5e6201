// Basic auth on the listener: credentials parsed strictly, bcrypt run off the loop, a
// credential that matched remembered, and nothing else let through.
#include <doctest/doctest.h>

#include <optional>

#include "prober/web/basic_auth.h"
#include "prober/web/bcrypt.h"
#include "tests/fakes/test_loop.h"

namespace {

prober::ServerRequest withAuthorization(const std::string& value) {
  prober::ServerRequest request;
  request.method = "GET";
  request.target = "/metrics";
  request.headers.emplace_back("authorization", value);
  return request;
}

// Asks `auth` about `request` and runs the loop until it decides (bounded).
std::optional<bool> decide(prober::BasicAuth& auth, prober::testing::TestLoop& loop,
                           const prober::ServerRequest& request, bool* decidedAtOnce = nullptr) {
  std::optional<bool> decision;
  auth.check(request, [&decision](bool allowed) { decision = allowed; });
  if (decidedAtOnce != nullptr) {
    *decidedAtOnce = decision.has_value();
  }
  for (int i = 0; i < 5 && !decision; ++i) {
    loop.waitAndRun();
  }
  return decision;
}

}  // namespace

TEST_CASE("basic credentials are read strictly") {
  std::string user;
  std::string password;
  CHECK(prober::parseBasicCredentials("Basic YWxpY2U6czNjcjN0", user, password));  // alice:s3cr3t
  CHECK(user == "alice");
  CHECK(password == "s3cr3t");
  CHECK(prober::parseBasicCredentials("Basic YTpiOmM=", user, password));  // a:b:c
  CHECK(user == "a");
  CHECK(password == "b:c");
  CHECK(prober::parseBasicCredentials("Basic YTo=", user, password));  // a: (empty password)
  CHECK(password.empty());
  CHECK_FALSE(prober::parseBasicCredentials("", user, password));
  CHECK_FALSE(prober::parseBasicCredentials("Bearer YWxpY2U6czNjcjN0", user, password));
  CHECK_FALSE(prober::parseBasicCredentials("Basic YWxpY2U", user, password));   // not 4n
  CHECK_FALSE(prober::parseBasicCredentials("Basic !!!!", user, password));      // not base64
  CHECK_FALSE(prober::parseBasicCredentials("Basic YWxpY2U=", user, password));  // no colon
}

TEST_CASE("bcrypt hashes match their password only") {
  const std::string hash = prober::bcryptHash("s3cr3t", 4);
  CHECK(hash.size() == 60);
  CHECK(hash.rfind("$2b$04$", 0) == 0);
  CHECK(prober::bcryptMatches("s3cr3t", hash));
  CHECK_FALSE(prober::bcryptMatches("s3cr3T", hash));
  CHECK_FALSE(prober::bcryptMatches("s3cr3t", "not a hash"));
  CHECK(prober::bcryptHash("s3cr3t", 4) != hash);  // a new salt each time
}

TEST_CASE("only a configured user with its password is let in; a match is remembered") {
  prober::testing::TestLoop loop;
  prober::BasicAuth auth([&loop](std::function<void()> job) { loop.post(std::move(job)); });
  CHECK_FALSE(auth.enabled());
  auth.setUsers({{"alice", prober::bcryptHash("s3cr3t", 4)}});
  CHECK(auth.enabled());

  bool atOnce = true;
  CHECK(decide(auth, loop, withAuthorization("Basic YWxpY2U6czNjcjN0"), &atOnce) == true);
  CHECK_FALSE(atOnce);  // bcrypt ran on the worker
  CHECK(decide(auth, loop, withAuthorization("Basic YWxpY2U6czNjcjN0"), &atOnce) == true);
  CHECK(atOnce);                                                                    // remembered
  CHECK(decide(auth, loop, withAuthorization("Basic YWxpY2U6d3Jvbmc=")) == false);  // alice:wrong
  CHECK(decide(auth, loop, withAuthorization("Basic Ym9iOnMzY3IzdA==")) == false);  // bob:s3cr3t
  CHECK(decide(auth, loop, prober::ServerRequest{}) == false);  // no header at all

  // New users forget what matched before.
  auth.setUsers({{"alice", prober::bcryptHash("other", 4)}});
  CHECK(decide(auth, loop, withAuthorization("Basic YWxpY2U6czNjcjN0")) == false);
}

TEST_CASE("the challenge asks for basic credentials") {
  const prober::ServerResponse challenge = prober::BasicAuth::challenge();
  CHECK(challenge.status == 401);
  REQUIRE(challenge.headers.size() == 1);
  CHECK(challenge.headers[0].first == "WWW-Authenticate");
  CHECK(challenge.headers[0].second.rfind("Basic realm=", 0) == 0);
}
