#include "prober/engine/curl_transfer.h"

#include <strings.h>

#include <fmt/format.h>
#include <algorithm>
#include <charconv>

#include "prober/engine/tls_observer.h"

namespace prober {

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (!transfer->sawStatusLine) {
    // What describeNotHttp quotes (40 characters, 4 bytes at most each), then no more.
    constexpr std::size_t kNotHttpKept = 160;
    std::string& body = transfer->result.body;
    body.append(data, std::min(bytes, kNotHttpKept - std::min(kNotHttpKept, body.size())));
    transfer->notHttp = true;
    if (looksLikeTls(body) || body.size() >= kNotHttpKept) {
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR: a TLS server never closes first
    }
    return bytes;
  }
  if (transfer->result.body.size() + bytes > transfer->bodyLimit) {
    transfer->bodyTooLarge = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->result.body.append(data, bytes);
  return bytes;
}

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// The headers the engine reads itself (below), kept even when judging reads none.
constexpr std::string_view kLocation = "Location";
constexpr std::string_view kContentLength = "Content-Length";

bool engineReads(std::string_view name) {
  return sameHeaderName(name, kLocation) || sameHeaderName(name, kContentLength);
}

// The response just ended its headers with a Content-Length over body_size_limit, and a body
// will follow: not HEAD, not 1xx, 204 or 304, not a redirect curl is about to follow.
bool announcesBodyOverLimit(const Transfer& transfer) {
  const int status = transfer.responseStatus;
  const bool followed = transfer.followRedirects && status >= 300 && status < 400 &&
                        transfer.result.header(kLocation) != nullptr;
  if (transfer.headRequest || status < 200 || status == 204 || status == 304 || followed) {
    return false;
  }
  const std::string* length = transfer.result.header(kContentLength);
  std::uint64_t announced = 0;
  if (length == nullptr ||
      std::from_chars(length->data(), length->data() + length->size(), announced).ec !=
          std::errc{}) {
    return false;
  }
  return announced > transfer.bodyLimit;
}

}  // namespace

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->result.headers.clear();  // a new response (after a redirect or a 100 Continue)
    transfer->sawStatusLine = true;
    transfer->headersComplete = false;
    const auto space = line.find(' ');
    transfer->responseStatus = 0;
    if (space != std::string_view::npos) {
      std::from_chars(line.data() + space + 1, line.data() + line.size(), transfer->responseStatus);
    }
    return bytes;
  }
  if (trim(line).empty()) {
    transfer->headersComplete = true;
    // A body announced over the limit fails now, not after the timeout or the whole download.
    if (announcesBodyOverLimit(*transfer)) {
      transfer->bodyTooLarge = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bytes;
  }
  const std::string_view name = trim(line.substr(0, colon));
  if (transfer->keepHeaders || engineReads(name)) {
    auto& headers = transfer->result.headers;
    if (headers.capacity() == 0) {
      // One allocation for most responses' headers, not four.
      headers.reserve(transfer->keepHeaders ? 12 : 2);
    }
    headers.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
  }
  return bytes;
}

double seconds(curl_off_t micros) {
  return static_cast<double>(micros) / 1e6;
}

// What describeFailure needs to know of a transfer curl ended with `code`.
TransferEnd transferEnd(CURLcode code, const Transfer& transfer) {
  TransferEnd end;
  end.curlCode = code;
  end.detail = transfer.errorBuffer[0] != '\0' ? transfer.errorBuffer : curl_easy_strerror(code);
  curl_easy_getinfo(transfer.easy, CURLINFO_OS_ERRNO, &end.osErrno);
  curl_off_t connectTime = 0;
  curl_off_t firstByteTime = 0;
  curl_easy_getinfo(transfer.easy, CURLINFO_CONNECT_TIME_T, &connectTime);
  curl_easy_getinfo(transfer.easy, CURLINFO_STARTTRANSFER_TIME_T, &firstByteTime);
  end.resolved = transfer.result.phases.resolve != 0;
  end.connected = connectTime > 0;
  end.firstByte = firstByteTime > 0;
  end.sawStatusLine = transfer.sawStatusLine;
  end.headersComplete = transfer.headersComplete;
  end.timeout = transfer.timeout;
  end.maxRedirects = transfer.maxRedirects;
  end.url = transfer.result.finalUrl;
  return end;
}

namespace {

// TLS to the url's address under another name: the request goes to https://NAME/..., curl
// connects to the url's host and port instead, and the Host header stays the url's.
void overrideServerName(Transfer& transfer, const HttpRequest& request) {
  const std::string& target = request.url;
  CURLU* url = curl_url();
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(url, CURLUPART_URL, target.c_str(), 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    char* explicitPort = nullptr;
    const bool portWritten = curl_url_get(url, CURLUPART_PORT, &explicitPort, 0) == CURLUE_OK;
    curl_free(explicitPort);
    const std::string hostHeader =
        fmt::format("Host: {}{}{}", host, portWritten ? ":" : "", portWritten ? port : "");
    transfer.connectTo =
        curl_slist_append(transfer.connectTo,
                          fmt::format("{}:{}:{}:{}", request.serverName, port, host, port).c_str());
    curl_url_set(url, CURLUPART_HOST, request.serverName.c_str(), 0);
    char* renamed = nullptr;
    if (curl_url_get(url, CURLUPART_URL, &renamed, 0) == CURLUE_OK) {
      curl_easy_setopt(transfer.easy, CURLOPT_URL, renamed);
      curl_easy_setopt(transfer.easy, CURLOPT_CONNECT_TO, transfer.connectTo);
      const bool hostGiven =
          std::any_of(request.headers.begin(), request.headers.end(),
                      [](const auto& h) { return strcasecmp(h.first.c_str(), "Host") == 0; });
      if (!hostGiven) {
        transfer.headers = curl_slist_append(transfer.headers, hostHeader.c_str());
      }
    }
    curl_free(renamed);
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(url);
}

// The request options most checks leave alone: each costs nothing unless set. True when any
// was set (every one goes through `set`, so a new option cannot be missed).
bool configureOptions(Transfer& transfer, const HttpRequest& request) {
  CURL* easy = transfer.easy;
  bool setAny = false;
  const auto set = [&](CURLoption option, auto value) {
    curl_easy_setopt(easy, option, value);
    setAny = true;
  };
  if (request.basicAuth) {
    set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set(CURLOPT_USERNAME, request.basicAuth->first.c_str());
    set(CURLOPT_PASSWORD, request.basicAuth->second.c_str());
  } else if (!request.bearerToken.empty()) {
    set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
    set(CURLOPT_XOAUTH2_BEARER, request.bearerToken.c_str());
  }
  if (!request.caFile.empty()) {
    set(CURLOPT_CAINFO, request.caFile.c_str());
    set(CURLOPT_CAPATH, nullptr);  // only these CAs
  }
  if (!request.clientCert.empty()) {
    set(CURLOPT_SSLCERT, request.clientCert.c_str());
    set(CURLOPT_SSLKEY, request.clientKey.c_str());
  }
  if (request.httpVersion == 11) {
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  } else if (request.httpVersion == 20) {
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2_0));
  }
  if (request.ipVersion == 4) {
    set(CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4));
  } else if (request.ipVersion == 6) {
    set(CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V6));
  }
  if (!request.proxy.empty()) {
    set(CURLOPT_PROXY, request.proxy.c_str());
  }
  if (!request.serverName.empty()) {
    overrideServerName(transfer, request);  // sets the url and where to connect
    setAny = true;
  }
  return setAny;
}

}  // namespace

void configureHandle(CURL* easy, const std::string& userAgent) {
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // A synthetic check measures DNS, connect and TLS on every run.
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, userAgent.c_str());  // curl copies every string
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &onHeader);
  // An answer without a status line is then read as a body, so its first bytes tell what it
  // was (a TLS server, say); readResult turns it into a failure.
  curl_easy_setopt(easy, CURLOPT_HTTP09_ALLOWED, 1L);
}

namespace {

// The headers of a request that adds none of its own: curl reads the list, never changes or
// frees it, so every such transfer points at this one.
curl_slist* expectNothing() {
  static char line[] = "Expect:";  // no "100-continue" wait before a body
  static curl_slist list{line, nullptr};
  return &list;
}

}  // namespace

bool configureTransfer(Transfer& transfer, const HttpRequest& request) {
  CURL* easy = transfer.easy;
  const Millis timeout = request.timeout;
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(request.maxRedirects));
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, request.tlsVerify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, request.tlsVerify ? 2L : 0L);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  if (request.url.rfind("https", 0) == 0 || request.followRedirects) {
    observeTls(easy, &transfer.tls);
  } else {
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, nullptr);  // a handle's last use set it
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, nullptr);
  }
  const std::string& body = request.body;
  // Options a plain GET leaves at curl's defaults; once one is set, the handle must be reset
  // before its next request.
  bool setsMore = false;
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    setsMore = true;
  } else if (request.method != "GET" || !body.empty()) {
    if (request.method != "POST") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!body.empty() || request.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body.c_str());
    }
    setsMore = true;
  }
  setsMore = configureOptions(transfer, request) || setsMore;
  if (transfer.headers == nullptr && request.headers.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, expectNothing());
    return setsMore;
  }
  transfer.headers = curl_slist_append(transfer.headers, "Expect:");
  for (const auto& [name, value] : request.headers) {
    // "Name;" is curl's way to send a header with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    transfer.headers = curl_slist_append(transfer.headers, line.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.headers);
  return setsMore;
}

}  // namespace prober
