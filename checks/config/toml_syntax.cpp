#include "checks/config/toml_syntax.h"

#include <fmt/format.h>

#include <vector>

namespace prober {

namespace {

// Walks TOML text by character, tracking line and column, strings and comments.
class NestingScan {
 public:
  explicit NestingScan(std::string_view text) : text_(text) {}

  std::optional<TomlSyntaxProblem> run() {
    bool lineStart = true;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        advance();
        if (nesting_.empty()) {
          lineStart = true;
          inKey_ = false;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        advance();
        continue;
      }
      if (c == '#') {
        skipToLineEnd();
        continue;
      }
      if (lineStart && nesting_.empty()) {
        lineStart = false;
        if (c == '[') {
          if (auto problem = tableHeader()) {
            return problem;
          }
          continue;
        }
        startKey();
      }
      if (c == '"' || c == '\'') {
        skipString();
        continue;
      }
      if (auto problem = step(c)) {
        return problem;
      }
      advance();
    }
    return std::nullopt;
  }

 private:
  std::optional<TomlSyntaxProblem> step(char c) {
    if (inKey_) {
      if (c == '.') {
        if (++keyParts_ > kMaxTomlKeyParts) {
          return problem(fmt::format("key has more than {} dotted parts", kMaxTomlKeyParts));
        }
      } else if (c == '=') {
        inKey_ = false;
      } else if (c == '}' && !nesting_.empty() && nesting_.back() == '{') {
        nesting_.pop_back();  // an empty inline table: {}
        inKey_ = false;
      }
      return std::nullopt;
    }
    if (c == '[' || c == '{') {
      nesting_.push_back(c);
      if (static_cast<int>(nesting_.size()) > kMaxTomlValueNesting) {
        return problem(fmt::format("arrays and inline tables nest more than {} deep",
                                   kMaxTomlValueNesting));
      }
      if (c == '{') {
        startKey();
      }
    } else if ((c == ']' || c == '}') && !nesting_.empty()) {
      nesting_.pop_back();
    } else if (c == ',' && !nesting_.empty() && nesting_.back() == '{') {
      startKey();
    }
    return std::nullopt;
  }

  // [a.b.c] or [[a.b.c]]: dots outside quotes separate parts.
  std::optional<TomlSyntaxProblem> tableHeader() {
    int parts = 1;
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      const char c = text_[pos_];
      if (c == '"' || c == '\'') {
        skipString();
        continue;
      }
      if (c == '#') {
        skipToLineEnd();
        break;
      }
      if (c == '.' && ++parts > kMaxTomlKeyParts) {
        return problem(
            fmt::format("table name has more than {} dotted parts", kMaxTomlKeyParts));
      }
      advance();
    }
    return std::nullopt;
  }

  void startKey() {
    inKey_ = true;
    keyParts_ = 1;
  }

  // A basic ("..."), literal ('...') or multi-line ("""...""", '''...''') string. An unclosed
  // one ends at the line's end (single-line) or the text's end: the parser reports it.
  void skipString() {
    const char quote = text_[pos_];
    const bool multiLine = text_.substr(pos_, 3) == std::string(3, quote);
    for (int i = 0; i < (multiLine ? 3 : 1); ++i) {
      advance();
    }
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && quote == '"' && pos_ + 1 < text_.size()) {
        advance();
        advance();
        continue;
      }
      if (c == '\n' && !multiLine) {
        return;
      }
      if (c == quote && (!multiLine || text_.substr(pos_, 3) == std::string(3, quote))) {
        for (int i = 0; i < (multiLine ? 3 : 1); ++i) {
          advance();
        }
        return;
      }
      advance();
    }
  }

  void skipToLineEnd() {
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      advance();
    }
  }

  void advance() {
    const auto c = static_cast<unsigned char>(text_[pos_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;  // continuation bytes belong to the character before
    }
  }

  TomlSyntaxProblem problem(std::string message) const {
    return {line_, column_, std::move(message)};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::vector<char> nesting_;  // '[' and '{' of the values being read
  bool inKey_ = false;
  int keyParts_ = 0;
};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::optional<TomlSyntaxProblem> findTooDeepNesting(std::string_view text) {
  return NestingScan(text).run();
}

std::string plainTomlError(std::string_view description, std::string_view atError) {
  const bool inString = contains(description, "parsing string") ||
                        contains(description, "parsing literal string");
  const bool atLineEnd = atError.empty() || atError.front() == '\n' || atError.front() == '\r';
  if (inString && contains(description, "control characters") && atLineEnd) {
    return "string not closed before the end of the line";
  }
  if (inString && contains(description, "control characters")) {
    return "a control character inside a string must be written as an escape, like \\u0001";
  }
  if (inString && contains(description, "end-of-file")) {
    return "string not closed before the end of the file";
  }
  if (contains(description, "expected value, saw '\\n'") ||
      contains(description, "expected value, saw EOF") ||
      contains(description, "expected value, saw '#'")) {
    return "a key needs a value after \"=\"";
  }
  if (contains(description, "expected '=', saw")) {
    return "a key must be followed by \"=\" and a value";
  }
  if (contains(description, "expected comma or closing ']'")) {
    return "array not closed: expected \",\" or \"]\"";
  }
  if (contains(description, "expected comma or closing '}'")) {
    return "inline table not closed: expected \",\" or \"}\" (inline tables fit on one line)";
  }
  if (contains(description, "cannot redefine existing")) {
    const auto colon = description.find(": ");
    return std::string(colon == std::string_view::npos ? description
                                                       : description.substr(colon + 2)) +
           " (each key and table is written once)";
  }
  if (contains(description, "could not determine value type")) {
    return "not a TOML value: strings need quotes, like \"text\"";
  }
  // Other errors: the parser's reason without its "Error while parsing ...:" preamble.
  const std::string_view prefix = "Error while parsing ";
  if (description.substr(0, prefix.size()) == prefix) {
    const auto colon = description.find(": ");
    if (colon != std::string_view::npos) {
      return fmt::format("TOML syntax ({}): {}",
                         description.substr(prefix.size(), colon - prefix.size()),
                         description.substr(colon + 2));
    }
  }
  return fmt::format("TOML syntax: {}", description);
}

}  // namespace prober
