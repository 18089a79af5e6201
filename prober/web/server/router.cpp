#include "prober/web/server/router.h"

#include <algorithm>

#include "prober/web/server/request_guard.h"

namespace prober {

namespace {

bool allows(const std::string& allow, const std::string& method) {
  // "GET, HEAD": the method must be one of the listed words.
  std::size_t start = 0;
  while (start < allow.size()) {
    std::size_t end = allow.find(',', start);
    if (end == std::string::npos) {
      end = allow.size();
    }
    std::string word = allow.substr(start, end - start);
    word.erase(0, word.find_first_not_of(' '));
    if (word == method) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string requestPath(const ServerRequest& request) {
  return request.target.substr(0, request.target.find('?'));
}

std::string requestQuery(const ServerRequest& request) {
  const auto query = request.target.find('?');
  return query == std::string::npos ? std::string() : request.target.substr(query + 1);
}

void Router::exact(std::string path, std::string allow, Endpoint& endpoint,
                   std::function<bool()> available) {
  routes_.push_back(
      Route{std::move(path), false, std::move(allow), &endpoint, std::move(available)});
}

void Router::prefix(std::string prefix, std::string allow, Endpoint& endpoint) {
  routes_.push_back(Route{std::move(prefix), true, std::move(allow), &endpoint, {}});
}

const Router::Route* Router::find(const std::string& path) const {
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (route.available && !route.available()) {
      continue;
    }
    if (!route.isPrefix) {
      if (route.path == path) {
        return &route;
      }
      continue;
    }
    if (path.rfind(route.path, 0) == 0 && (!best || route.path.size() > best->path.size())) {
      best = &route;
    }
  }
  return best;
}

void Router::route(const ServerRequest& request, Responder respond) const {
  const Route* route = find(requestPath(request));
  if (route == nullptr) {
    respond({404, "text/plain; charset=utf-8", "not found\n", ""});
    return;
  }
  if (!allows(route->allow, request.method)) {
    respond({405, "text/plain; charset=utf-8", "method not allowed\n", route->allow});
    return;
  }
  const bool write =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (write && route->endpoint->takesJson() && !isJsonContentType(request.header("content-type"))) {
    respond(notJson(request));
    return;
  }
  route->endpoint->serve(request, std::move(respond));
}

}  // namespace prober
