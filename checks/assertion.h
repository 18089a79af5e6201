#pragma once
// Assertions on a response, compiled once at load: `SOURCE [ARGUMENT] OPERATOR [VALUE]`.
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "checks/json_path.h"
#include "checks/probe_result.h"
#include "checks/redaction.h"

namespace re2 {
class RE2;
}

namespace prober {

enum class AssertionSource {
  Status,
  Latency,
  Header,
  Body,
  Json,
  JsonLength,
  Size,
  CertExpiry,
  Redirects
};
enum class AssertionOperator {
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Contains,
  NotContains,
  Matches,
  NotMatches,
  Exists,
  NotExists,
  In,
};

// A value written in an assertion.
struct Literal {
  enum class Kind { Number, Duration, String, Bool, Null, StatusClass };
  Kind kind = Kind::Null;
  double number = 0;  // Number; Duration in seconds; StatusClass as 2 for 2xx; Bool as 0/1
  std::string text;   // String; also the literal as written, for messages
};

// Gives assertions what they read from one response; parses the body as JSON at most once.
// `secrets` (the check's ${VAR} values) are replaced in every actual value a message quotes,
// before it is shortened, so neither a whole secret nor a cut-off piece of one is shown.
class EvaluationContext {
 public:
  EvaluationContext(const ProbeResult& result, std::chrono::system_clock::time_point now,
                    const std::vector<Secret>* secrets = nullptr)
      : result_(result), now_(now), secrets_(secrets) {}
  const ProbeResult& result() const { return result_; }
  std::chrono::system_clock::time_point now() const { return now_; }
  const std::vector<Secret>* secrets() const { return secrets_; }
  // The body as JSON, or nullptr with `error` set when it is not JSON.
  const boost::json::value* json(std::string& error);

 private:
  const ProbeResult& result_;
  std::chrono::system_clock::time_point now_;
  const std::vector<Secret>* secrets_;
  bool jsonParsed_ = false;
  // The parsed body lives in this arena (spilling to the heap past its first 4 KiB), so judging
  // a typical API answer allocates nothing; it is freed with the context.
  unsigned char arenaBuffer_[4096];
  boost::json::monotonic_resource arena_{arenaBuffer_, sizeof arenaBuffer_};
  std::optional<boost::json::value> json_;
  std::string jsonError_;
};

struct AssertionOutcome {
  bool passed = false;
  std::string message;  // when failed: the assertion plus what was seen, "status == 200 (got 503)"
};

class Assertion {
 public:
  // Compiles one assertion; on error returns nullopt with `error` saying what is wrong.
  static std::optional<Assertion> parse(std::string_view text, std::string& error);

  AssertionOutcome evaluate(EvaluationContext& context) const;
  const std::string& text() const { return c_->text; }
  AssertionSource source() const { return c_->source; }
  AssertionOperator op() const { return c_->op; }

  // Two assertions written the same way behave the same way.
  bool operator==(const Assertion& other) const {
    return c_ == other.c_ || c_->text == other.c_->text;
  }

 private:
  struct Actual;
  Actual read(EvaluationContext& context) const;
  bool compare(const Actual& actual, std::string& seen) const;

  // What parsing made of the text, immutable: copies of an assertion share it.
  struct Compiled {
    std::string text;
    AssertionSource source = AssertionSource::Status;
    std::string headerName;
    std::shared_ptr<const JsonPath> path;
    AssertionOperator op = AssertionOperator::Exists;
    std::vector<Literal> values;
    std::shared_ptr<const re2::RE2> regex;
  };
  explicit Assertion(std::shared_ptr<const Compiled> compiled) : c_(std::move(compiled)) {}

  std::shared_ptr<const Compiled> c_;
};

// Compiles each text once: checks that write the same assertion share one compiled copy (at
// 100,000 checks with the same three assertions, about 900 bytes a check).
class AssertionCompiler {
 public:
  std::optional<Assertion> parse(std::string_view text, std::string& error);

 private:
  std::unordered_map<std::string, Assertion> compiled_;
};

std::ostream& operator<<(std::ostream& out, const Assertion& assertion);

}  // namespace prober
