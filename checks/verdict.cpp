#include "checks/verdict.h"

#include <fmt/format.h>
#include <ostream>

namespace prober {

std::string_view failureReasonName(FailureReason reason) {
  switch (reason) {
    case FailureReason::None: return "none";
    case FailureReason::Dns: return "dns";
    case FailureReason::Connect: return "connect";
    case FailureReason::Tls: return "tls";
    case FailureReason::Timeout: return "timeout";
    case FailureReason::HttpStatus: return "http_status";
    case FailureReason::Assertion: return "assertion";
    case FailureReason::BodyTooLarge: return "body_too_large";
    case FailureReason::Extract: return "extract";
    case FailureReason::TooManyRedirects: return "too_many_redirects";
    case FailureReason::Protocol: return "protocol";
    case FailureReason::Request: return "request";
    case FailureReason::Internal: return "internal";
  }
  return "internal";
}

std::optional<FailureReason> parseFailureReason(std::string_view name) {
  for (std::size_t i = 0; i < kFailureReasonCount; ++i) {
    const auto reason = static_cast<FailureReason>(i);
    if (failureReasonName(reason) == name) {
      return reason;
    }
  }
  return std::nullopt;
}

FailureReason reasonFor(FailureKind kind) {
  switch (kind) {
    case FailureKind::None: return FailureReason::None;
    case FailureKind::DnsFailed: return FailureReason::Dns;
    case FailureKind::ConnectionRefused:
    case FailureKind::ConnectFailed: return FailureReason::Connect;
    case FailureKind::Timeout: return FailureReason::Timeout;
    case FailureKind::TlsFailed: return FailureReason::Tls;
    case FailureKind::TooManyRedirects: return FailureReason::TooManyRedirects;
    case FailureKind::BodyTooLarge: return FailureReason::BodyTooLarge;
    case FailureKind::ProtocolError: return FailureReason::Protocol;
    case FailureKind::InvalidRequest: return FailureReason::Request;
    case FailureKind::Cancelled:
    case FailureKind::Internal: return FailureReason::Internal;
  }
  return FailureReason::Internal;
}

Verdict judge(const StepSpec& step, const ProbeResult& result,
              std::chrono::system_clock::time_point now, Variables* extracted,
              const std::vector<Secret>* secrets) {
  Verdict verdict;
  if (!result.gotResponse()) {
    verdict.reason = reasonFor(result.failure);
    verdict.failures.push_back(result.failureMessage);
    return verdict;
  }
  EvaluationContext context(result, now, secrets);
  if (step.assertions.empty()) {
    if (result.status < 200 || result.status > 299) {
      verdict.reason = FailureReason::HttpStatus;
      verdict.failures.push_back(fmt::format("status == 2xx (got {})", result.status));
    }
  } else {
    for (const Assertion& assertion : step.assertions) {
      AssertionOutcome outcome = assertion.evaluate(context);
      if (!outcome.passed) {
        if (verdict.failures.empty()) {
          verdict.reason = assertion.source() == AssertionSource::Status ? FailureReason::HttpStatus
                                                                         : FailureReason::Assertion;
        }
        verdict.failures.push_back(std::move(outcome.message));
      }
    }
  }
  if (verdict.failures.empty() && extracted != nullptr) {
    for (const Extraction& extraction : step.extractions) {
      std::string missing;
      if (auto value = extraction.apply(context, missing)) {
        extracted->set(extraction.variable(), std::move(*value));
      } else {
        verdict.reason = FailureReason::Extract;
        verdict.failures.push_back(fmt::format("extract {} = '{}': {}", extraction.variable(),
                                               extraction.text(), missing));
        break;
      }
    }
  }
  verdict.passed = verdict.failures.empty();
  if (verdict.passed) {
    for (const Assertion& assertion : step.degradedAssertions) {
      if (AssertionOutcome outcome = assertion.evaluate(context); !outcome.passed) {
        verdict.degradations.push_back(std::move(outcome.message));
      }
    }
  }
  return verdict;
}

std::ostream& operator<<(std::ostream& out, const Verdict& verdict) {
  out << (verdict.passed ? "passed" : "failed");
  for (const auto& failure : verdict.failures) {
    out << "; " << failure;
  }
  return out;
}

}  // namespace prober
