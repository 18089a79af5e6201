// Basic auth on the listener: credentials parsed strictly, bcrypt run off the loop, a
// credential that matched remembered, and nothing else let through.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>

#include "prober/web/server/basic_auth.h"
#include "prober/web/server/bcrypt.h"
#include "tests/fakes/test_loop.h"

namespace {

prober::ServerRequest withAuthorization(const std::string& value) {
  prober::ServerRequest request;
  request.method = "GET";
  request.target = "/metrics";
  request.headers.emplace_back("authorization", value);
  return request;
}

using prober::AuthDecision;

// Asks `auth` about `request` and runs the loop until it decides (bounded); true when allowed.
std::optional<bool> decide(prober::BasicAuth& auth, prober::testing::TestLoop& loop,
                           const prober::ServerRequest& request, bool* decidedAtOnce = nullptr) {
  std::optional<bool> decision;
  auth.check(request, [&decision](AuthDecision d) { decision = d == AuthDecision::Allowed; });
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

TEST_CASE("a reload that removes a user refuses its password, even a check queued before it") {
  prober::testing::TestLoop loop;
  prober::BasicAuth auth([&loop](std::function<void()> job) { loop.post(std::move(job)); });
  auth.setUsers({{"alice", prober::bcryptHash("s3cr3t", 4)}});
  std::optional<AuthDecision> queued;
  auth.check(withAuthorization("Basic YWxpY2U6czNjcjN0"),  // alice:s3cr3t
             [&queued](AuthDecision d) { queued = d; });
  auth.setUsers({{"bob", prober::bcryptHash("other", 4)}});  // the reload, while bcrypt runs
  for (int i = 0; i < 5 && !queued; ++i) {
    loop.waitAndRun();
  }
  CHECK(queued == AuthDecision::Refused);
  CHECK(decide(auth, loop, withAuthorization("Basic YWxpY2U6czNjcjN0")) == false);  // not kept
}

TEST_CASE("an unknown user costs as much bcrypt as a known one, at the users' cost") {
  // Checked by what the work is, not by a stopwatch (timings belong in benchmarks; under load a
  // timed assertion fails at random): an unknown user's password is checked against a stand-in
  // hash of the highest cost the users have, so it runs the same bcrypt rounds.
  prober::testing::TestLoop loop;
  prober::BasicAuth auth([&loop](std::function<void()> job) { loop.post(std::move(job)); });
  CHECK(auth.standInHash().rfind("$2b$", 0) == 0);  // before any user: a real bcrypt hash
  auth.setUsers({{"alice", prober::bcryptHash("s3cr3t", 11)}, {"bob", prober::bcryptHash("x", 5)}});
  CHECK(auth.standInHash().rfind("$2b$11$", 0) == 0);
  CHECK(auth.standInHash().size() == prober::bcryptHash("s3cr3t", 4).size());
  CHECK_FALSE(prober::bcryptMatches("s3cr3t", auth.standInHash()));
  CHECK(decide(auth, loop, withAuthorization("Basic Y2Fyb2w6czNjcjN0")) == false);  // carol
  auth.setUsers({{"alice", prober::bcryptHash("s3cr3t", 6)}});
  CHECK(auth.standInHash().rfind("$2b$06$", 0) == 0);  // follows the users at each reload
}

TEST_CASE("password checks waiting are bounded: past the limit, or late, the answer is Busy") {
  prober::testing::TestLoop loop;
  const auto post = [&loop](std::function<void()> job) { loop.post(std::move(job)); };
  prober::BasicAuth auth(post, prober::BasicAuth::Limits{2, std::chrono::seconds(5)});
  auth.setUsers({{"alice", prober::bcryptHash("s3cr3t", 4)}});
  std::vector<AuthDecision> decisions;
  for (int i = 0; i < 3; ++i) {
    auth.check(withAuthorization("Basic YWxpY2U6d3Jvbmc="),  // alice:wrong
               [&decisions](AuthDecision d) { decisions.push_back(d); });
  }
  REQUIRE(decisions.size() == 1);  // the third, at once
  CHECK(decisions[0] == AuthDecision::Busy);
  CHECK(auth.waiting() == 2);
  for (int i = 0; i < 5 && decisions.size() < 3; ++i) {
    loop.waitAndRun();
  }
  CHECK(decisions == std::vector<AuthDecision>{AuthDecision::Busy, AuthDecision::Refused,
                                               AuthDecision::Refused});
  CHECK(auth.waiting() == 0);

  // A check still queued at its deadline is not worth its bcrypt any more.
  prober::BasicAuth late(post, prober::BasicAuth::Limits{64, std::chrono::milliseconds(0)});
  late.setUsers({{"alice", prober::bcryptHash("s3cr3t", 4)}});
  std::optional<AuthDecision> decision;
  late.check(withAuthorization("Basic YWxpY2U6czNjcjN0"),
             [&decision](AuthDecision d) { decision = d; });
  for (int i = 0; i < 5 && !decision; ++i) {
    loop.waitAndRun();
  }
  CHECK(decision == AuthDecision::Busy);
  CHECK(prober::BasicAuth::busy().status == 503);
}
