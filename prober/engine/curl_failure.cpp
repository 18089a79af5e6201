#include "prober/engine/curl_failure.h"

#include <curl/curl.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "checks/duration.h"
#include "checks/json_text.h"
#include "checks/text.h"
#include "checks/url.h"

namespace prober {

namespace {

std::string hostOf(const std::string& url) {
  std::string host = hostOfUrl(url);
  return host.empty() ? url : host;
}

// Which phase a timed-out request was in, from the timings and the headers it reached.
std::string_view timeoutPhase(const TransferEnd& end) {
  if (!end.connected) {
    return end.resolved ? "connecting" : "resolving the host";
  }
  if (!end.firstByte) {
    return "waiting for the response";
  }
  // Bytes came but no whole status line: curl holds them while they could still begin one
  // ("HTTP/1.1 200 OK" sent a byte at a time). Bytes that cannot are not HTTP, and are
  // described as such (describeNotHttp), at once for TLS, whenever the transfer ends otherwise.
  return end.headersComplete ? "reading the body" : "reading the response headers";
}

}  // namespace

bool looksLikeTls(std::string_view bytes) {
  return bytes.size() >= 2 && (bytes[0] == 0x15 || bytes[0] == 0x16) && bytes[1] == 0x03;
}

void describeNotHttp(ProbeResult& result) {
  result.failure = FailureKind::ProtocolError;
  if (looksLikeTls(result.body)) {
    result.failureMessage = "the server answered with TLS, not plain HTTP: use an https:// URL";
  } else if (result.body.empty()) {
    result.failureMessage = "server closed the connection without sending a response";
  } else {
    result.failureMessage = fmt::format("the server's answer is not HTTP: it begins {}",
                                       jsonQuoted(textFromTarget(result.body, 40)));
  }
  result.body.clear();
  result.bodySize = 0;
}

void describeFailure(const TransferEnd& end, ProbeResult& result) {
  const std::string& detail = end.detail;
  const std::string& url = end.url;
  switch (static_cast<CURLcode>(end.curlCode)) {
    case CURLE_COULDNT_RESOLVE_HOST:
      result.failure = FailureKind::DnsFailed;
      result.failureMessage = fmt::format("DNS lookup failed for {}", hostOf(url));
      break;
    case CURLE_COULDNT_CONNECT:
      if (end.osErrno == ECONNREFUSED) {
        result.failure = FailureKind::ConnectionRefused;
        result.failureMessage = "connection refused";
      } else {
        result.failure = FailureKind::ConnectFailed;
        result.failureMessage =
            end.osErrno != 0 ? fmt::format("could not connect to {}: {}", hostOf(url),
                                       std::strerror(static_cast<int>(end.osErrno)))
                         : fmt::format("could not connect to {}: {}", hostOf(url), detail);
      }
      break;
    case CURLE_OPERATION_TIMEDOUT:
      result.failure = FailureKind::Timeout;
      result.failureMessage =
          fmt::format("timed out after {} while {}", formatDuration(end.timeout), timeoutPhase(end));
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
      result.failure = FailureKind::TlsFailed;
      result.failureMessage = fmt::format("TLS handshake failed: {}", detail);
      break;
    case CURLE_TOO_MANY_REDIRECTS:
      result.failure = FailureKind::TooManyRedirects;
      result.failureMessage =
          fmt::format("too many redirects (more than {})", end.maxRedirects);
      break;
    case CURLE_GOT_NOTHING:
      result.failure = FailureKind::ProtocolError;
      result.failureMessage = "server closed the connection without sending a response";
      break;
    case CURLE_OUT_OF_MEMORY:
      // curl refuses a header line over 100 KiB with this code; the process is not out of memory.
      result.failure = FailureKind::ProtocolError;
      result.failureMessage = end.headersComplete
                                 ? fmt::format("request failed: {}", detail)
                                 : "response header too large: a header line is over curl's "
                                   "100 KiB limit";
      break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      result.failure = FailureKind::ProtocolError;
      result.failureMessage = fmt::format("connection broken: {}", detail);
      break;
    default:
      result.failure = FailureKind::ProtocolError;
      result.failureMessage = fmt::format("request failed: {}", detail);
      break;
  }
}

}  // namespace prober
