#pragma once
// Why a transfer brought no usable response, in words a person acts on ("connection refused",
// "timed out after 5s while reading the response headers", "the server answered with TLS"):
// the curl engine's second job, kept apart from driving curl.
#include <string>
#include <string_view>

#include "checks/check_spec.h"
#include "checks/probe_result.h"

namespace prober {

// What is known of a transfer curl ended with an error.
struct TransferEnd {
  int curlCode = 0;    // the CURLcode
  std::string detail;  // curl's error buffer, or its text for the code
  long osErrno = 0;
  bool resolved = false;   // the host name was resolved
  bool connected = false;  // a connection was made
  bool firstByte = false;  // a byte of the response arrived
  bool sawStatusLine = false;
  bool headersComplete = false;
  Millis timeout{0};
  int maxRedirects = 0;
  std::string url;  // the last one asked for
};

// Sets result.failure and result.failureMessage.
void describeFailure(const TransferEnd& end, ProbeResult& result);

// An answer with no HTTP status line, read as a body (curl's HTTP/0.9 reading): says what it
// was (TLS, other bytes, nothing) and drops the bytes.
void describeNotHttp(ProbeResult& result);

// The first bytes of a TLS record (handshake or alert, version 3.x): a TLS server answering a
// plain-HTTP request.
bool looksLikeTls(std::string_view bytes);

}  // namespace prober
