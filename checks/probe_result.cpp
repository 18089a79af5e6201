#include "checks/probe_result.h"

#include <strings.h>
#include <ostream>

namespace prober {

std::string_view failureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::None: return "none";
    case FailureKind::DnsFailed: return "dns";
    case FailureKind::ConnectionRefused: return "connection_refused";
    case FailureKind::ConnectFailed: return "connect";
    case FailureKind::Timeout: return "timeout";
    case FailureKind::TlsFailed: return "tls";
    case FailureKind::TooManyRedirects: return "too_many_redirects";
    case FailureKind::BodyTooLarge: return "body_too_large";
    case FailureKind::ProtocolError: return "protocol";
    case FailureKind::InvalidRequest: return "invalid_request";
    case FailureKind::Cancelled: return "cancelled";
    case FailureKind::Internal: return "internal";
  }
  return "unknown";
}

bool sameHeaderName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

const std::string* ProbeResult::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (sameHeaderName(key, name)) {
      return &value;
    }
  }
  return nullptr;
}

std::ostream& operator<<(std::ostream& out, const ProbeOutcome& result) {
  out << "ProbeOutcome{status=" << result.status << ", failure=" << failureKindName(result.failure);
  if (!result.failureMessage.empty()) {
    out << " (" << result.failureMessage << ")";
  }
  return out << ", total=" << result.totalSeconds << "s, redirects=" << result.redirects
             << ", body=" << result.bodySize << "B}";
}

}  // namespace prober
