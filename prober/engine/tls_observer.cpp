#include "prober/engine/tls_observer.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstring>
#include <ctime>

namespace prober {

struct TlsObserverAccess {
  static const void*& lastHandshake(TlsObservation& observation) {
    return observation.lastHandshake_;
  }
};

namespace {

// Our slot in each SSL_CTX: the observation of the transfer that owns the context.
int contextSlot() {
  static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

std::optional<std::chrono::system_clock::time_point> notAfter(X509* certificate) {
  const ASN1_TIME* time = X509_get0_notAfter(certificate);
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return std::nullopt;
  }
  const std::time_t seconds = timegm(&tm);
  if (seconds == static_cast<std::time_t>(-1)) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(seconds);
}

void consider(TlsObservation& observation, X509* certificate) {
  if (certificate == nullptr) {
    return;
  }
  if (auto expiry = notAfter(certificate)) {
    if (!observation.earliestExpiry || *expiry < *observation.earliestExpiry) {
      observation.earliestExpiry = expiry;
    }
  }
}

// "TLSv1.3" -> "TLS 1.3", "TLSv1" -> "TLS 1.0", as blackbox_exporter labels versions.
std::string versionLabel(const char* openssl) {
  if (openssl == nullptr || std::strncmp(openssl, "TLSv", 4) != 0) {
    return openssl != nullptr ? openssl : "";
  }
  std::string label = std::string("TLS ") + (openssl + 4);
  return label == "TLS 1" ? "TLS 1.0" : label;
}

// Runs for each certificate OpenSSL verifies (and for each verification error). Reads the
// whole served chain on the first call of a handshake and leaves the decision unchanged:
// curl judges the verification result itself after the handshake.
int onVerify(int preverified, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) {
    return preverified;
  }
  auto* observation =
      static_cast<TlsObservation*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), contextSlot()));
  if (observation == nullptr) {
    return preverified;
  }
  const void*& seen = TlsObserverAccess::lastHandshake(*observation);
  if (seen != ssl) {  // a new handshake (the first, or after a redirect): its chain counts
    seen = ssl;
    observation->earliestExpiry.reset();
    consider(*observation, X509_STORE_CTX_get0_cert(store));
    if (STACK_OF(X509)* served = X509_STORE_CTX_get0_untrusted(store)) {
      for (int i = 0; i < sk_X509_num(served); ++i) {
        consider(*observation, sk_X509_value(served, i));
      }
    }
    observation->version = versionLabel(SSL_get_version(ssl));
  }
  return preverified;
}

CURLcode onNewContext(CURL*, void* context, void* user) {
  auto* ctx = static_cast<SSL_CTX*>(context);
  SSL_CTX_set_ex_data(ctx, contextSlot(), user);
  // curl sets no verify callback of its own (it reads the verify result after the
  // handshake); keep its verify mode.
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), &onVerify);
  return CURLE_OK;
}

}  // namespace

void observeTls(CURL* easy, TlsObservation* observation) {
  observation->reset();
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &onNewContext);
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, observation);
  // Every probe does a full handshake, so the certificate is seen (and timed) every time.
  curl_easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
}

}  // namespace prober
