// Evaluating an assertion against one response: what its source yields, the comparison, and
// the failure message with the value seen. Parsing is in assertion.cpp.
#include <re2/re2.h>

#include <fmt/format.h>
#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>

#include "checks/assertion.h"
#include "checks/duration.h"
#include "checks/json_text.h"
#include "checks/number_format.h"
#include "checks/quoted_value.h"

namespace prober {
namespace {

using Op = AssertionOperator;
using Src = AssertionSource;

bool jsonEquals(const boost::json::value& value, const Literal& literal) {
  switch (literal.kind) {
    case Literal::Kind::String: return value.is_string() && value.get_string() == literal.text;
    case Literal::Kind::Number:
    case Literal::Kind::Duration:
      return value.is_number() && value.to_number<double>() == literal.number;
    case Literal::Kind::Bool: return value.is_bool() && value.get_bool() == (literal.number != 0);
    case Literal::Kind::Null: return value.is_null();
    case Literal::Kind::StatusClass: return false;
  }
  return false;
}

std::string jsonText(const boost::json::value& value, const std::vector<Secret>* secrets) {
  return shownValue(toJsonText(value), secrets);
}

}  // namespace

// What a source yielded from one response.
struct Assertion::Actual {
  enum class Kind { Missing, Number, Seconds, String, Json };
  Kind kind = Kind::Missing;
  double number = 0;
  std::string_view text;  // points into the result
  const boost::json::value* json = nullptr;
  std::string missing;  // why there is nothing, for messages
  const std::vector<Secret>* secrets = nullptr;  // replaced in what is shown

  std::string shown() const {
    switch (kind) {
      case Kind::Missing: return missing;
      case Kind::Number: return formatNumber(number);
      case Kind::Seconds: return formatSeconds(number);
      case Kind::String: return quotedValue(text, secrets);
      case Kind::Json: return jsonText(*json, secrets);
    }
    return "";
  }
};

const boost::json::value* EvaluationContext::json(std::string& error) {
  if (!jsonParsed_) {
    jsonParsed_ = true;
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 256;  // the default of 32 refuses some real API documents
    boost::json::value parsed =
        boost::json::parse(result_.body, ec, boost::json::storage_ptr(&arena_), options);
    if (ec) {
      jsonError_ = result_.body.empty() ? "body is empty, not JSON"
                                        : fmt::format("body is not JSON: {}", ec.message());
    } else {
      json_ = std::move(parsed);
    }
  }
  if (!json_) {
    error = jsonError_;
    return nullptr;
  }
  return &*json_;
}

Assertion::Actual Assertion::read(EvaluationContext& context) const {
  const ProbeResult& result = context.result();
  Actual actual;
  actual.secrets = context.secrets();
  const auto number = [&](double value) {
    actual.kind = Actual::Kind::Number;
    actual.number = value;
  };
  switch (c_->source) {
    case Src::Status: number(result.status); break;
    case Src::Size: number(static_cast<double>(result.bodySize)); break;
    case Src::Redirects: number(result.redirects); break;
    case Src::Latency:
      actual.kind = Actual::Kind::Seconds;
      actual.number = result.totalSeconds;
      break;
    case Src::Body:
      actual.kind = Actual::Kind::String;
      actual.text = result.body;
      break;
    case Src::Header:
      if (const std::string* value = result.header(c_->headerName)) {
        actual.kind = Actual::Kind::String;
        actual.text = *value;
      } else {
        actual.missing = fmt::format("no {} header", c_->headerName);
      }
      break;
    case Src::CertExpiry:
      if (result.certExpiry) {
        actual.kind = Actual::Kind::Seconds;
        actual.number = std::chrono::duration<double>(*result.certExpiry - context.now()).count();
      } else {
        actual.missing = result.tls ? "no certificate expiry reported" : "not a TLS connection";
      }
      break;
    case Src::Json:
    case Src::JsonLength: {
      std::string error;
      const boost::json::value* root = context.json(error);
      if (root == nullptr) {
        actual.missing = error;
        break;
      }
      std::string missingPrefix;
      const boost::json::value* value = c_->path->find(*root, &missingPrefix);
      if (value == nullptr) {
        actual.missing = fmt::format("{} not found", missingPrefix);
        break;
      }
      if (c_->source == Src::Json) {
        actual.kind = Actual::Kind::Json;
        actual.json = value;
      } else if (const auto* array = value->if_array()) {
        number(static_cast<double>(array->size()));
      } else if (const auto* object = value->if_object()) {
        number(static_cast<double>(object->size()));
      } else if (const auto* string = value->if_string()) {
        number(static_cast<double>(string->size()));
      } else {
        actual.missing =
            fmt::format("{} is {}, which has no length", c_->path->text(), jsonText(*value, actual.secrets));
      }
      break;
    }
  }
  return actual;
}

bool Assertion::compare(const Actual& actual, std::string& seen) const {
  using K = Actual::Kind;
  if (c_->op == Op::Exists) {
    return actual.kind != K::Missing;
  }
  if (c_->op == Op::NotExists) {
    return actual.kind == K::Missing;
  }
  if (actual.kind == K::Missing) {
    return false;
  }

  // Text the string operators work on: header and body as they are; JSON strings unquoted,
  // other JSON values as serialized.
  std::string jsonBuffer;
  std::string_view asText = actual.text;
  if (actual.kind == K::Json) {
    if (const auto* string = actual.json->if_string()) {
      asText = std::string_view(string->data(), string->size());
    } else {
      jsonBuffer = toJsonText(*actual.json);
      asText = jsonBuffer;
    }
  }

  const auto numeric = [&](double& out) {
    if (actual.kind == K::Number || actual.kind == K::Seconds) {
      out = actual.number;
      return true;
    }
    if (actual.kind == K::Json) {
      if (actual.json->is_number()) {
        out = actual.json->to_number<double>();
        return true;
      }
      seen = fmt::format("got {}, not a number", actual.shown());
      return false;
    }
    auto [ptr, ec] = std::from_chars(asText.data(), asText.data() + asText.size(), out);
    if (ec != std::errc{} || ptr != asText.data() + asText.size()) {
      seen = fmt::format("got {}, not a number", actual.shown());
      return false;
    }
    return true;
  };

  const auto equals = [&](const Literal& literal) {
    if (actual.kind == K::Json) {
      return jsonEquals(*actual.json, literal);
    }
    if (literal.kind == Literal::Kind::StatusClass) {
      return static_cast<int>(actual.number) / 100 == static_cast<int>(literal.number);
    }
    if (literal.kind == Literal::Kind::String) {
      return asText == literal.text;
    }
    double value = 0;
    return numeric(value) && value == literal.number;
  };

  switch (c_->op) {
    case Op::Equal: return equals(c_->values[0]);
    case Op::NotEqual: return !equals(c_->values[0]);
    case Op::In: return std::any_of(c_->values.begin(), c_->values.end(), equals);
    case Op::Less:
    case Op::LessEqual:
    case Op::Greater:
    case Op::GreaterEqual: {
      double value = 0;
      if (!numeric(value)) {
        return false;
      }
      const double limit = c_->values[0].number;
      switch (c_->op) {
        case Op::Less: return value < limit;
        case Op::LessEqual: return value <= limit;
        case Op::Greater: return value > limit;
        default: return value >= limit;
      }
    }
    case Op::Contains:
    case Op::NotContains: {
      bool contains = false;
      if (actual.kind == K::Json && actual.json->is_array()) {
        const auto& array = actual.json->get_array();
        contains = std::any_of(array.begin(), array.end(), [&](const boost::json::value& item) {
          return jsonEquals(item, c_->values[0]);
        });
      } else {
        contains = asText.find(c_->values[0].text) != std::string_view::npos;
      }
      return (c_->op == Op::Contains) == contains;
    }
    case Op::Matches:
    case Op::NotMatches: {
      const bool matches = RE2::PartialMatch(asText, *c_->regex);
      return (c_->op == Op::Matches) == matches;
    }
    case Op::Exists:
    case Op::NotExists: break;
  }
  return false;
}

AssertionOutcome Assertion::evaluate(EvaluationContext& context) const {
  const Actual actual = read(context);
  std::string seen;
  AssertionOutcome outcome;
  outcome.passed = compare(actual, seen);
  if (!outcome.passed) {
    if (seen.empty()) {
      seen = actual.kind == Actual::Kind::Missing ? actual.missing : "got " + actual.shown();
    }
    if (c_->op == Op::NotExists) {
      seen = "got " + actual.shown();
    }
    outcome.message = fmt::format("{} ({})", c_->text, seen);
  }
  return outcome;
}

}  // namespace prober
