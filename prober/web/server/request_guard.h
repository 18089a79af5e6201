#pragma once
// What the listener refuses before any endpoint or user check runs, so that a web page an
// engineer happens to visit cannot use the engineer's browser against the daemon (README,
// "The listener against browsers"):
// - a Host that is not an IP literal, localhost or a name in [web] allowed_hosts: a page that
//   rebinds its own name to this address (DNS rebinding) sends its own name as the Host;
// - a write (any method but GET and HEAD) whose Origin is not this listener's own, or that
//   says Sec-Fetch-Site: cross-site: a form or fetch() from another site.
// A request without a Host header (HTTP/1.0) passes: browsers always send one, so no page can
// leave it out. Nor does a request without Origin or Sec-Fetch-Site face the second rule:
// curl, CI jobs and scripts send neither, and a browser sends Origin with every write.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prober/web/server/http_server.h"

namespace prober {

class RequestGuard {
 public:
  // Lower-case names from [web] allowed_hosts; at start and on each reload.
  void setAllowedHosts(std::vector<std::string> hosts) { allowedHosts_ = std::move(hosts); }

  // The 403 answer saying why, or nullopt when the request may go on.
  std::optional<ServerResponse> refusal(const ServerRequest& request) const;

 private:
  bool hostAllowed(std::string_view host) const;

  std::vector<std::string> allowedHosts_;
};

// The host of a Host header or an origin's authority, without port or IPv6 brackets, lower case
// ("[::1]:9115" -> "::1", "Prober.Example.com:80" -> "prober.example.com").
std::string hostWithoutPort(std::string_view authority);

// Whether `contentType` is application/json, parameters (charset) aside.
bool isJsonContentType(std::string_view contentType);

// The 415 a JSON endpoint answers a body of another type with.
ServerResponse notJson(const ServerRequest& request);

}  // namespace prober
