#pragma once
// Which endpoint answers a request: by exact path, else by the longest matching prefix, with
// 405 (and Allow) for a method the endpoint does not take and 404 for anything else. Each
// endpoint is an object with one job; the router only chooses.
#include <functional>
#include <string>
#include <vector>

#include "prober/web/server/http_server.h"

namespace prober {

class Endpoint {
 public:
  virtual ~Endpoint() = default;
  // Answers through `respond`, now or later on the loop. The method was already checked.
  virtual void serve(const ServerRequest& request, Responder respond) = 0;
  // Whether the endpoint reads a JSON body: a write (POST, PUT, PATCH) to it with another
  // Content-Type is refused with 415 before it is served. A browser can send text/plain or a
  // form to any site without asking first; it must ask before sending application/json.
  virtual bool takesJson() const { return false; }
};

class Router {
 public:
  // `allow` is what the endpoint takes ("GET, HEAD" or "POST"); `available`, when given, says
  // whether the endpoint is there at all right now (a disabled one answers 404).
  void exact(std::string path, std::string allow, Endpoint& endpoint,
             std::function<bool()> available = {});
  void prefix(std::string prefix, std::string allow, Endpoint& endpoint);

  void route(const ServerRequest& request, Responder respond) const;

 private:
  struct Route {
    std::string path;
    bool isPrefix = false;
    std::string allow;
    Endpoint* endpoint = nullptr;
    std::function<bool()> available;
  };
  const Route* find(const std::string& path) const;

  std::vector<Route> routes_;
};

// The request's path: its target up to the query.
std::string requestPath(const ServerRequest& request);
// The query after '?' ("" when none).
std::string requestQuery(const ServerRequest& request);

}  // namespace prober
