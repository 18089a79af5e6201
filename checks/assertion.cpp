#include "checks/assertion.h"

#include <re2/re2.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <ostream>

#include "checks/duration.h"
#include "checks/quoted_value.h"
#include "checks/regex_literal.h"

namespace prober {
namespace {

using Op = AssertionOperator;
using Src = AssertionSource;

bool isSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

void skipSpaces(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && isSpace(text[pos])) {
    ++pos;
  }
}

// A word ends at whitespace; brackets and quotes inside a JSON path are kept whole.
std::string_view readWord(std::string_view text, std::size_t& pos, char stopAt = '\0') {
  const std::size_t start = pos;
  char quote = 0;
  int depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (quote != 0) {
      if (c == '\\') {
        ++pos;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    } else if (depth == 0 && (isSpace(c) || (stopAt != '\0' && c == stopAt))) {
      break;
    }
    ++pos;
  }
  return text.substr(start, pos - start);
}

bool parseQuoted(std::string_view text, std::size_t& pos, std::string& out, std::string& error) {
  const char quoteChar = text[pos++];
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == quoteChar) {
      return true;
    }
    if (c == '\\') {
      if (pos >= text.size()) {
        break;
      }
      char escaped = text[pos++];
      switch (escaped) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        default: out.push_back(escaped); break;
      }
    } else {
      out.push_back(c);
    }
  }
  error = "unterminated string";
  return false;
}

// One literal starting at text[pos]: "string", 'string', true, false, null, 2xx, 42, 1.5, 500ms.
std::optional<Literal> parseLiteral(std::string_view text, std::size_t& pos, std::string& error) {
  Literal literal;
  const std::size_t start = pos;
  if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
    literal.kind = Literal::Kind::String;
    if (!parseQuoted(text, pos, literal.text, error)) {
      return std::nullopt;
    }
    return literal;
  }
  while (pos < text.size() && !isSpace(text[pos]) && text[pos] != ',' && text[pos] != ']') {
    ++pos;
  }
  const std::string_view word = text.substr(start, pos - start);
  literal.text = std::string(word);
  if (word.empty()) {
    error = "expected a value";
    return std::nullopt;
  }
  if (word == "true" || word == "false") {
    literal.kind = Literal::Kind::Bool;
    literal.number = word == "true" ? 1 : 0;
    return literal;
  }
  if (word == "null") {
    literal.kind = Literal::Kind::Null;
    return literal;
  }
  if (word.size() == 3 && word[0] >= '1' && word[0] <= '5' && word.substr(1) == "xx") {
    literal.kind = Literal::Kind::StatusClass;
    literal.number = word[0] - '0';
    return literal;
  }
  double number = 0;
  auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), number);
  if (ec == std::errc{} && ptr == word.data() + word.size() && std::isfinite(number)) {
    literal.kind = Literal::Kind::Number;
    literal.number = number;
    return literal;
  }
  if (auto duration = parseDuration(word)) {
    literal.kind = Literal::Kind::Duration;
    literal.number = static_cast<double>(duration->count()) / 1000.0;
    return literal;
  }
  error = fmt::format(
      "\"{}\" is not a value (expected a number, a duration like 500ms, a \"string\", true, "
      "false, null or a status class like 2xx)",
      word);
  return std::nullopt;
}

struct OperatorName {
  std::string_view word;
  Op op;
};
constexpr OperatorName kOperators[] = {
    {"==", Op::Equal},
    {"!=", Op::NotEqual},
    {"<", Op::Less},
    {"<=", Op::LessEqual},
    {">", Op::Greater},
    {">=", Op::GreaterEqual},
    {"contains", Op::Contains},
    {"!contains", Op::NotContains},
    {"matches", Op::Matches},
    {"!matches", Op::NotMatches},
    {"exists", Op::Exists},
    {"!exists", Op::NotExists},
    {"in", Op::In},
};

bool isOrdering(Op op) {
  return op == Op::Less || op == Op::LessEqual || op == Op::Greater || op == Op::GreaterEqual;
}

std::string_view sourceName(Src source) {
  switch (source) {
    case Src::Status: return "status";
    case Src::Latency: return "latency";
    case Src::Header: return "header";
    case Src::Body: return "body";
    case Src::Json: return "json";
    case Src::JsonLength: return "len(json)";
    case Src::Size: return "size";
    case Src::CertExpiry: return "cert_expiry";
    case Src::Redirects: return "redirects";
  }
  return "?";
}

// Which literal kinds a source can be compared with; the message says what was expected.
bool literalFits(Src source, Op op, const Literal& literal, std::string& error) {
  using K = Literal::Kind;
  const auto need = [&](bool ok, std::string_view what) {
    if (!ok) {
      error = fmt::format("{} is compared with {}, not {}", sourceName(source), what,
                          literal.kind == K::String ? quotedValue(literal.text) : literal.text);
    }
    return ok;
  };
  switch (source) {
    case Src::Status:
      if (isOrdering(op)) {
        return need(literal.kind == K::Number, "a number");
      }
      return need(literal.kind == K::Number || literal.kind == K::StatusClass,
                  "a number or a status class like 2xx");
    case Src::Latency:
    case Src::CertExpiry: return need(literal.kind == K::Duration, "a duration like 500ms or 14d");
    case Src::Size:
    case Src::Redirects:
    case Src::JsonLength: return need(literal.kind == K::Number, "a number");
    case Src::Header:
    case Src::Body:
      if (isOrdering(op)) {
        return need(literal.kind == K::Number, "a number");
      }
      if (op == Op::Contains || op == Op::NotContains) {
        return need(literal.kind == K::String, "a \"string\"");
      }
      return need(literal.kind == K::String || literal.kind == K::Number,
                  "a \"string\" or a number");
    case Src::Json:
      if (isOrdering(op)) {
        return need(literal.kind == K::Number || literal.kind == K::Duration, "a number");
      }
      return need(literal.kind != K::StatusClass && literal.kind != K::Duration,
                  "a number, a \"string\", true, false or null");
  }
  return true;
}

}  // namespace

std::optional<Assertion> Assertion::parse(std::string_view text, std::string& error) {
  Compiled assertion;
  assertion.text = std::string(text);
  std::size_t pos = 0;
  skipSpaces(text, pos);

  const auto parsePath = [&](std::string_view pathText) {
    std::string pathError;
    auto path = JsonPath::parse(pathText, pathError);
    if (!path) {
      error = pathError;
      return false;
    }
    assertion.path = std::make_shared<const JsonPath>(std::move(*path));
    return true;
  };

  if (text.substr(pos, 4) == "len(") {
    pos += 4;
    skipSpaces(text, pos);
    if (readWord(text, pos) != "json") {
      error = "len() takes a JSON path: len(json $.items)";
      return std::nullopt;
    }
    skipSpaces(text, pos);
    const std::string_view pathText = readWord(text, pos, ')');
    if (!parsePath(pathText)) {
      return std::nullopt;
    }
    skipSpaces(text, pos);
    if (pos >= text.size() || text[pos] != ')') {
      error = "len(json PATH) is missing its closing parenthesis";
      return std::nullopt;
    }
    ++pos;
    assertion.source = Src::JsonLength;
  } else {
    const std::string_view word = readWord(text, pos);
    if (word == "status") {
      assertion.source = Src::Status;
    } else if (word == "latency") {
      assertion.source = Src::Latency;
    } else if (word == "body") {
      assertion.source = Src::Body;
    } else if (word == "size") {
      assertion.source = Src::Size;
    } else if (word == "cert_expiry") {
      assertion.source = Src::CertExpiry;
    } else if (word == "redirects") {
      assertion.source = Src::Redirects;
    } else if (word == "header") {
      assertion.source = Src::Header;
      skipSpaces(text, pos);
      const std::string_view name = readWord(text, pos);
      const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!valid) {
        error = name.empty() ? "header needs a name: header Content-Type contains \"json\""
                             : fmt::format("\"{}\" is not a valid header name", name);
        return std::nullopt;
      }
      assertion.headerName = std::string(name);
    } else if (word == "json") {
      assertion.source = Src::Json;
      skipSpaces(text, pos);
      if (!parsePath(readWord(text, pos))) {
        return std::nullopt;
      }
    } else {
      error = word.empty() ? "empty assertion"
                           : fmt::format(
                                 "unknown source \"{}\" (expected status, latency, header, body, "
                                 "json, len(json ...), size, cert_expiry or redirects)",
                                 word);
      return std::nullopt;
    }
  }

  skipSpaces(text, pos);
  const std::string_view opWord = readWord(text, pos);
  const auto* found = std::find_if(std::begin(kOperators), std::end(kOperators),
                                   [&](const OperatorName& o) { return o.word == opWord; });
  if (found == std::end(kOperators)) {
    error = opWord.empty()
                ? "missing operator (==, !=, <, <=, >, >=, contains, !contains, matches, "
                  "!matches, exists, !exists, in)"
                : fmt::format(
                      "unknown operator \"{}\" (expected ==, !=, <, <=, >, >=, contains, "
                      "!contains, matches, !matches, exists, !exists, in)",
                      opWord);
    return std::nullopt;
  }
  assertion.op = found->op;
  skipSpaces(text, pos);

  switch (assertion.op) {
    case Op::Exists:
    case Op::NotExists:
      if (assertion.source != Src::Header && assertion.source != Src::Json &&
          assertion.source != Src::CertExpiry) {
        error = fmt::format("{} always exists; exists applies to header, json and cert_expiry",
                            sourceName(assertion.source));
        return std::nullopt;
      }
      break;
    case Op::Matches:
    case Op::NotMatches: {
      if (pos >= text.size() || text[pos] != '/') {
        error = "matches takes a regex between slashes: matches /^ok$/";
        return std::nullopt;
      }
      auto regex = parseRegexLiteral(text, pos, error);
      if (regex == nullptr) {
        return std::nullopt;
      }
      assertion.regex = std::move(regex);
      break;
    }
    case Op::In: {
      if (pos >= text.size() || text[pos] != '[') {
        error = "in takes a list: in [200, 204]";
        return std::nullopt;
      }
      ++pos;
      while (true) {
        skipSpaces(text, pos);
        auto literal = parseLiteral(text, pos, error);
        if (!literal || !literalFits(assertion.source, Op::Equal, *literal, error)) {
          return std::nullopt;
        }
        assertion.values.push_back(std::move(*literal));
        skipSpaces(text, pos);
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == ']') {
          ++pos;
          break;
        }
        error = "list is missing its closing ]";
        return std::nullopt;
      }
      break;
    }
    default: {
      if (assertion.source == Src::Status || assertion.source == Src::Latency ||
          assertion.source == Src::Size || assertion.source == Src::Redirects ||
          assertion.source == Src::JsonLength || assertion.source == Src::CertExpiry) {
        if (assertion.op == Op::Contains || assertion.op == Op::NotContains) {
          error = fmt::format("{} is a number; contains applies to header, body and json",
                              sourceName(assertion.source));
          return std::nullopt;
        }
      }
      if (pos >= text.size()) {
        error = fmt::format("{} needs a value to compare with", opWord);
        return std::nullopt;
      }
      auto literal = parseLiteral(text, pos, error);
      if (!literal || !literalFits(assertion.source, assertion.op, *literal, error)) {
        return std::nullopt;
      }
      if (literal->kind == Literal::Kind::StatusClass && assertion.op != Op::Equal &&
          assertion.op != Op::NotEqual) {
        error = "a status class like 2xx works with ==, != and in";
        return std::nullopt;
      }
      assertion.values.push_back(std::move(*literal));
    }
  }

  skipSpaces(text, pos);
  if (pos < text.size()) {
    error = fmt::format("unexpected \"{}\" after the assertion", text.substr(pos));
    return std::nullopt;
  }
  return Assertion(std::make_shared<const Compiled>(std::move(assertion)));
}

std::ostream& operator<<(std::ostream& out, const Assertion& assertion) {
  return out << assertion.text();
}

std::optional<Assertion> AssertionCompiler::parse(std::string_view text, std::string& error) {
  const std::string key(text);
  if (const auto found = compiled_.find(key); found != compiled_.end()) {
    return found->second;
  }
  std::optional<Assertion> assertion = Assertion::parse(text, error);
  if (assertion) {
    compiled_.emplace(key, *assertion);
  }
  return assertion;
}

}  // namespace prober
