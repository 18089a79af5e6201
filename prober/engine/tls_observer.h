#pragma once
// What a probe learns from the TLS handshake itself, through OpenSSL's verify callback rather
// than curl's CERTINFO (which formats every certificate as text on every probe, and reports
// nothing when verification fails). The served chain is read before verification decides, so
// an expired or untrusted certificate still tells when it expires.
#include <chrono>
#include <optional>
#include <string>

#include <curl/curl.h>

namespace prober {

struct TlsObservation {
  // Earliest notAfter of the chain the server presented on the last handshake.
  std::optional<std::chrono::system_clock::time_point> earliestExpiry;
  std::string version;  // "TLS 1.3"; empty when no handshake got as far as a certificate

  void reset() {
    earliestExpiry.reset();
    version.clear();
    lastHandshake_ = nullptr;
  }

 private:
  friend struct TlsObserverAccess;
  const void* lastHandshake_ = nullptr;  // the SSL object seen last (a redirect starts anew)
};

// Installs the observer on a transfer: curl calls it with each new SSL_CTX (one per
// connection), and the observer hooks the certificate verification of that context.
void observeTls(CURL* easy, TlsObservation* observation);

}  // namespace prober
