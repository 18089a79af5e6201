#include "prober/web/server/request_guard.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <cctype>

#include "checks/json_text.h"
#include "checks/text.h"

namespace prober {

namespace {

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The port of a Host header or an origin's authority ("" when it names none).
std::string_view portOf(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos || close + 1 >= authority.size() ||
        authority[close + 1] != ':') {
      return {};
    }
    return authority.substr(close + 2);
  }
  const auto colon = authority.find(':');
  if (colon == std::string_view::npos || authority.find(':', colon + 1) != std::string_view::npos) {
    return {};  // no port, or a bare IPv6 address
  }
  return authority.substr(colon + 1);
}

bool isIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

ServerResponse forbidden(std::string message) {
  return ServerResponse{403, "text/plain; charset=utf-8", "refused: " + std::move(message) + "\n",
                        ""};
}

// Text from a request, quoted for an answer: shortened, valid UTF-8, escaped.
std::string quoted(std::string_view text) {
  return jsonQuoted(textFromTarget(text, 80));
}

}  // namespace

std::string hostWithoutPort(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    return lowerCase(
        authority.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  const auto colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) == std::string_view::npos) {
    authority = authority.substr(0, colon);
  }
  return lowerCase(authority);
}

bool isJsonContentType(std::string_view contentType) {
  const std::string_view type = contentType.substr(0, contentType.find(';'));
  return lowerCase(trim(type)) == "application/json";
}

ServerResponse notJson(const ServerRequest& request) {
  const std::string type = request.header("content-type");
  const std::string message =
      fmt::format("{} {} takes a JSON body with Content-Type: application/json ({})",
                  request.method, request.target.substr(0, request.target.find('?')),
                  type.empty() ? std::string("no Content-Type was sent") : "not " + quoted(type));
  return ServerResponse{415, "application/json",
                        toJsonText(boost::json::object{{"error", message}}) + "\n", ""};
}

bool RequestGuard::hostAllowed(std::string_view host) const {
  const std::string name = hostWithoutPort(host);
  return name == "localhost" || isIpLiteral(name) ||
         std::find(allowedHosts_.begin(), allowedHosts_.end(), name) != allowedHosts_.end();
}

std::optional<ServerResponse> RequestGuard::refusal(const ServerRequest& request) const {
  const std::string host = request.header("host");
  if (!host.empty() && !hostAllowed(host)) {
    return forbidden(fmt::format(
        "the Host {} is not a name this listener answers to; add \"{}\" to [web] allowed_hosts "
        "if it is one of its names (names not listed are refused: a web page could have pointed "
        "its own name at this address)",
        quoted(host), hostWithoutPort(host)));
  }
  if (request.method == "GET" || request.method == "HEAD") {
    return std::nullopt;
  }
  if (lowerCase(request.header("sec-fetch-site")) == "cross-site") {
    return forbidden(
        "the browser says this request comes from another site (Sec-Fetch-Site: cross-site); "
        "writes are taken from this listener's own pages, curl and scripts");
  }
  const std::string origin = request.header("origin");
  if (origin.empty()) {
    return std::nullopt;
  }
  // An origin is "scheme://host[:port]" with the scheme's default port left out, as is the
  // Host header's.
  const auto schemeEnd = origin.find("://");
  const std::string scheme =
      schemeEnd == std::string::npos ? "" : lowerCase(origin.substr(0, schemeEnd));
  const std::string_view authority = schemeEnd == std::string::npos
                                         ? std::string_view()
                                         : std::string_view(origin).substr(schemeEnd + 3);
  const std::string_view defaultPort = scheme == "https" ? "443" : "80";
  const auto portOr = [&](std::string_view of) {
    const std::string_view port = portOf(of);
    return std::string(port.empty() ? defaultPort : port);
  };
  const bool same = (scheme == "http" || scheme == "https") && !host.empty() &&
                    hostWithoutPort(authority) == hostWithoutPort(host) &&
                    portOr(authority) == portOr(host);
  if (!same) {
    return forbidden(fmt::format(
        "this request comes from another site (Origin {} is not {}); writes are taken from this "
        "listener's own pages, curl and scripts",
        quoted(origin), host.empty() ? std::string("this listener") : quoted(host)));
  }
  return std::nullopt;
}

}  // namespace prober
