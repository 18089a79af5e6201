#include "checks/regex_literal.h"

#include <re2/re2.h>

#include <fmt/format.h>

namespace prober {

std::shared_ptr<const re2::RE2> parseRegexLiteral(std::string_view text, std::size_t& pos,
                                                  std::string& error) {
  if (pos >= text.size() || text[pos] != '/') {
    error = "expected a regex between slashes, like /^ok$/";
    return nullptr;
  }
  ++pos;
  std::string pattern;
  bool closed = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (c == '\\' && pos < text.size() && text[pos] == '/') {
      pattern.push_back('/');
      ++pos;
    } else if (c == '/') {
      closed = true;
      break;
    } else {
      pattern.push_back(c);
      if (c == '\\' && pos < text.size()) {
        pattern.push_back(text[pos++]);
      }
    }
  }
  if (!closed) {
    error = "regex is missing its closing slash";
    return nullptr;
  }
  RE2::Options options;
  options.set_log_errors(false);
  if (pos < text.size() && text[pos] == 'i') {
    options.set_case_sensitive(false);
    ++pos;
  }
  auto regex = std::make_shared<const RE2>(pattern, options);
  if (!regex->ok()) {
    error = fmt::format("invalid regex /{}/: {}", pattern, regex->error());
    return nullptr;
  }
  return regex;
}

}  // namespace prober
