#pragma once
// Inside prober/engine/ only (it brings in <curl/curl.h>): one transfer in flight, how an
// HttpRequest becomes curl's options for it, how curl writes the response into it, and what
// describeFailure needs to know when it ends without a usable response.
#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "checks/probe_result.h"
#include "prober/engine/curl_failure.h"
#include "prober/engine/http_engine.h"
#include "prober/engine/http_request.h"
#include "prober/engine/tls_observer.h"

namespace prober {

// One request in flight.
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connectTo = nullptr;  // server_name: where to connect instead
  HttpEngine::Callback done;
  ProbeResult result;
  std::uint64_t bodyLimit = 0;
  bool bodyTooLarge = false;
  // Bytes came as a body before any status line (curl's HTTP/0.9 reading): not HTTP. The
  // transfer ends once the failure message has what it quotes, or at once for TLS, rather than
  // read until the server closes or the timeout.
  bool notHttp = false;
  bool headRequest = false;  // HEAD: a Content-Length announces no body
  bool followRedirects = false;
  bool keepHeaders = true;  // false: only Location and Content-Length are kept
  // The response being read: its status line's code, and whether its blank line (the end of
  // its headers) arrived. Reset by each status line, so they describe the last response.
  int responseStatus = 0;
  bool sawStatusLine = false;
  bool headersComplete = false;
  Millis timeout{0};
  int maxRedirects = 0;
  std::size_t slot = 0;           // where the engine's in-flight list holds it
  bool handleNeedsReset = false;  // the request set options a plain GET leaves alone
  TlsObservation tls;
  char errorBuffer[CURL_ERROR_SIZE] = {};
};

// Sets the options every request shares (protocols, a fresh connection, the user agent, the
// callbacks) on a new or reset handle; they stay set while the handle is reused.
void configureHandle(CURL* easy, const std::string& userAgent);

// Sets the options of `transfer.easy` for `request` on a handle configureHandle set up: the
// url, method, body and headers, the timeouts, TLS, redirects, and where the callbacks write
// the response. True when the request set an option a plain GET leaves at curl's default (a
// method, a body, credentials, a proxy...): the handle must then be reset before it is reused.
bool configureTransfer(Transfer& transfer, const HttpRequest& request);

// Curl's write callbacks: the body (up to the transfer's limit) and each header line.
std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user);
std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user);

double seconds(curl_off_t micros);

// What describeFailure needs to know of a transfer curl ended with `code`.
TransferEnd transferEnd(CURLcode code, const Transfer& transfer);

}  // namespace prober
