#pragma once
// HTTP basic auth on the listener ([web] basic_auth_users: NAME = bcrypt hash). bcrypt costs
// tens of milliseconds on purpose, so it runs on a thread of its own and never stalls the event
// loop; a credential that matched is remembered (by a SHA-256 of it, for as long as the users
// stay the same), so Prometheus scraping a thousand check targets pays for bcrypt once.
// The thread is a queue a flood of wrong passwords could fill, so it is bounded: past
// Limits::maxWaiting checks, or for one that waited past Limits::deadline before its turn, the
// answer is Busy (503) at once rather than minutes later.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "checks/clock.h"
#include "prober/web/server/http_server.h"

namespace prober {

enum class AuthDecision { Allowed, Refused, Busy };

class BasicAuth {
 public:
  struct Limits {
    std::size_t maxWaiting = 64;               // checks asked and not yet answered
    std::chrono::milliseconds deadline{5000};  // from asking to bcrypt starting
  };
  explicit BasicAuth(PostToLoop post, Limits limits);
  explicit BasicAuth(PostToLoop post) : BasicAuth(std::move(post), Limits{}) {}
  ~BasicAuth();
  BasicAuth(const BasicAuth&) = delete;
  BasicAuth& operator=(const BasicAuth&) = delete;

  void setUsers(std::map<std::string, std::string> users);
  bool enabled() const { return !users_.empty(); }

  // Calls `decided` once, on the loop: Allowed when the request names a user and its password
  // (now when remembered, later when bcrypt had to run). A user a reload removed (or whose hash
  // it changed) while the check waited is asked about again against the users of now.
  void check(const ServerRequest& request, std::function<void(AuthDecision)> decided);

  // The answer to a request without valid credentials.
  static ServerResponse challenge();
  // The answer while the checks are too many or too slow.
  static ServerResponse busy();

  // What an unknown user's password is checked against: a hash of the users' highest cost, so
  // that a wrong name takes as long as a wrong password and does not tell which names exist.
  const std::string& standInHash() const { return standInHash_; }
  std::size_t waiting() const { return waiting_; }

 private:
  struct Worker;
  void check(std::string user, std::string password, std::function<void(AuthDecision)> decided);

  PostToLoop post_;
  Limits limits_;
  std::map<std::string, std::string> users_;
  std::string standInHash_;
  std::size_t waiting_ = 0;
  std::set<std::string> matched_;  // SHA-256 of "user:password" that matched
  std::unique_ptr<Worker> worker_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "Basic dXNlcjpwYXNz" -> {"user", "pass"}; false when the header is not basic credentials.
bool parseBasicCredentials(const std::string& header, std::string& user, std::string& password);

}  // namespace prober
