#include "prober/engine/curl_result.h"

#include <fmt/format.h>

#include <string_view>

#include "checks/duration.h"
#include "checks/text.h"
#include "prober/engine/curl_failure.h"

namespace prober {

void readResult(Transfer& transfer, CURLcode code) {
  ProbeResult& result = transfer.result;
  CURL* easy = transfer.easy;
  long status = 0;
  long redirects = 0;
  long version = 0;
  curl_off_t lookup = 0, connect = 0, appConnect = 0, firstByte = 0, total = 0;
  char* effectiveUrl = nullptr;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
  curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &appConnect);
  curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &firstByte);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
  curl_off_t contentLength = -1;
  curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &contentLength);
  result.contentLength = contentLength;
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effectiveUrl);
  result.redirects = static_cast<int>(redirects);
  result.finalUrl = effectiveUrl != nullptr ? effectiveUrl : "";
  result.tls = result.finalUrl.rfind("https://", 0) == 0;
  char* address = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &address) == CURLE_OK && address != nullptr &&
      address[0] != '\0') {
    result.ipProtocol = std::string_view(address).find(':') != std::string_view::npos ? 6 : 4;
  }
  switch (version) {
    case CURL_HTTP_VERSION_1_0: result.httpVersion = 10; break;
    case CURL_HTTP_VERSION_1_1: result.httpVersion = 11; break;
    case CURL_HTTP_VERSION_2_0: result.httpVersion = 20; break;
    case CURL_HTTP_VERSION_3: result.httpVersion = 30; break;
    default: result.httpVersion = 0;
  }
  // curl's phase times are offsets from the start (summed over redirects); blackbox_exporter's
  // phases are the gaps between them.
  const auto gap = [](curl_off_t later, curl_off_t earlier) {
    return later > earlier ? seconds(later - earlier) : 0.0;
  };
  const curl_off_t handshakeDone = appConnect > 0 ? appConnect : connect;
  result.phases.resolve = seconds(lookup);
  result.phases.connect = gap(connect, lookup);
  result.phases.tls = appConnect > 0 ? gap(appConnect, connect) : 0.0;
  result.phases.processing = firstByte > 0 ? gap(firstByte, handshakeDone) : 0.0;
  result.phases.transfer = firstByte > 0 ? gap(total, firstByte) : 0.0;
  result.totalSeconds = seconds(total);
  result.bodySize = result.body.size();
  // Read whether or not the transfer succeeded: a handshake that failed verification
  // (an expired certificate) still showed its chain.
  result.certExpiry = transfer.tls.earliestExpiry;
  result.tlsVersion = std::move(transfer.tls.version);
  if (!transfer.sawStatusLine && (code == CURLE_OK || transfer.bodyTooLarge || transfer.notHttp)) {
    // Not HTTP, whether the server closed, the transfer was ended for it or timed out.
    describeNotHttp(result);
  } else if (code == CURLE_OK) {
    result.status = static_cast<int>(status);
  } else if (transfer.bodyTooLarge) {
    result.status = static_cast<int>(status);
    result.failure = FailureKind::BodyTooLarge;
    result.failureMessage = fmt::format("response body is larger than body_size_limit ({})",
                                        formatByteSize(transfer.bodyLimit));
  } else {
    describeFailure(transferEnd(code, transfer), result);
  }
  // curl's words may quote the target (a certificate's name): text from targets is data.
  result.failureMessage = validUtf8(result.failureMessage);
}
}  // namespace prober
