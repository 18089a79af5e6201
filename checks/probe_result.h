#pragma once
// What one HTTP request of a check yields: built by the engine alone, read by everything else.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prober {

// Why a request produced no HTTP response. `None` means a response arrived (any status).
enum class FailureKind {
  None,
  DnsFailed,
  ConnectionRefused,
  ConnectFailed,
  Timeout,
  TlsFailed,
  TooManyRedirects,
  BodyTooLarge,
  ProtocolError,
  InvalidRequest,  // not sent: a filled-in placeholder made the request invalid
  Cancelled,
  Internal,
};

std::string_view failureKindName(FailureKind kind);

// Phase timings as blackbox_exporter defines them, in seconds.
struct PhaseTimings {
  double resolve = 0;     // DNS lookup
  double connect = 0;     // TCP connect, after resolve
  double tls = 0;         // TLS handshake, after connect
  double processing = 0;  // request sent until the first response byte
  double transfer = 0;    // first byte until the last
};

// What is kept of a response once it has been judged: everything but its content. A check's
// last run holds one of these a step, so it is laid out without padding to spare.
struct ProbeOutcome {
  FailureKind failure = FailureKind::None;
  int status = 0;       // HTTP status of the final response, 0 when none arrived
  int httpVersion = 0;  // 10, 11, 20, 30; 0 when unknown
  int redirects = 0;
  int ipProtocol = 0;          // 4 or 6: the family of the address connected to; 0 when none
  bool tls = false;            // the final response came over TLS
  std::string failureMessage;  // for people: "connection refused", "timed out after 5s"

  std::uint64_t bodySize = 0;       // bytes received (equals body.size() unless discarded)
  std::int64_t contentLength = -1;  // the Content-Length the server announced; -1 when none

  double totalSeconds = 0;  // whole request, redirects included
  PhaseTimings phases;

  // Earliest notAfter of the chain the server presented on the last handshake, read even
  // when the handshake then failed verification (an expired certificate).
  std::optional<std::chrono::system_clock::time_point> certExpiry;
  std::string tlsVersion;  // "TLS 1.3"; empty without a handshake

  bool gotResponse() const { return failure == FailureKind::None; }
};

// What one request yields: the outcome and the content assertions and extractions read.
struct ProbeResult : ProbeOutcome {
  // Headers of the final response, in arrival order, names as the server sent them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // up to the check's body_size_limit
  std::string finalUrl;

  // Case-insensitive lookup of the first header with this name.
  const std::string* header(std::string_view name) const;
};

// Whether two header names are the same name: HTTP compares them without regard to case.
bool sameHeaderName(std::string_view a, std::string_view b);

std::ostream& operator<<(std::ostream& out, const ProbeOutcome& result);

}  // namespace prober
