#pragma once
// HTTP basic auth on the listener ([web] basic_auth_users: NAME = bcrypt hash). bcrypt costs
// tens of milliseconds on purpose, so it runs on a thread of its own and never stalls the event
// loop; a credential that matched is remembered (by a SHA-256 of it, for as long as the users
// stay the same), so Prometheus scraping a thousand check targets pays for bcrypt once.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "prober/runtime/clock.h"
#include "prober/web/http_server.h"

namespace prober {

class BasicAuth {
 public:
  explicit BasicAuth(PostToLoop post);
  ~BasicAuth();
  BasicAuth(const BasicAuth&) = delete;
  BasicAuth& operator=(const BasicAuth&) = delete;

  void setUsers(std::map<std::string, std::string> users);
  bool enabled() const { return !users_.empty(); }

  // Calls `decided(true)` when the request names a user and its password, on the loop (now
  // when remembered, later when bcrypt had to run).
  void check(const ServerRequest& request, std::function<void(bool)> decided);

  // The answer to a request without valid credentials.
  static ServerResponse challenge();

 private:
  struct Worker;
  PostToLoop post_;
  std::map<std::string, std::string> users_;
  std::set<std::string> matched_;  // SHA-256 of "user:password" that matched
  std::unique_ptr<Worker> worker_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "Basic dXNlcjpwYXNz" -> {"user", "pass"}; false when the header is not basic credentials.
bool parseBasicCredentials(const std::string& header, std::string& user, std::string& password);

}  // namespace prober
