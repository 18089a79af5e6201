#pragma once
// One HTTP request as the engine sends it, everything decided: the query appended and encoded,
// a form encoded into the body, placeholders filled. A check's step becomes one in one place
// (requestFor); the pager's transport builds one for a notification.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checks/check_spec.h"
#include "checks/duration.h"

namespace prober {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, the query included
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Millis timeout{10'000};  // for the whole exchange, connecting included
  bool followRedirects = true;
  int maxRedirects = kDefaultMaxRedirects;
  std::uint64_t bodySizeLimit = kDefaultBodySizeLimit;  // more is read but not kept
  // False: the response's headers are read but only Location and Content-Length are kept (the
  // engine's own), sparing a probe whose judging reads no header their copies.
  bool keepHeaders = true;
  bool tlsVerify = true;
  std::string caFile;      // trust these CAs instead of the system's
  std::string clientCert;  // PEM; with clientKey, for mutual TLS
  std::string clientKey;
  std::string serverName;  // TLS server name instead of the url's host
  // Secrets: sent, never shown.
  std::optional<std::pair<std::string, std::string>> basicAuth;  // user, password
  std::string bearerToken;
  int httpVersion = 0;  // 0: curl's choice, 11, 20
  int ipVersion = 0;    // 0: either, 4 or 6
  std::string proxy;
};

// What `step` (its placeholders already filled) sends, within `timeout`.
HttpRequest requestFor(const StepSpec& step, Millis timeout);

}  // namespace prober
