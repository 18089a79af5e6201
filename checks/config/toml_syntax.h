#pragma once
// What stands between config text and the TOML parser: a scan that refuses nesting deep enough
// to overflow the parser's stack (dotted keys, table headers, nested arrays and inline tables),
// and plain words for the parser's syntax errors.
#include <optional>
#include <string>
#include <string_view>

namespace prober {

// Deeper than any config needs, far shallower than what overflows a thread's stack.
inline constexpr int kMaxTomlKeyParts = 32;     // a.b.c = 1, [a.b.c]
inline constexpr int kMaxTomlValueNesting = 32;  // [[[...]]], {a = {b = {...}}}

struct TomlSyntaxProblem {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters
  std::string message;
};

// The first place where `text` nests keys or values past the limits above, or nullopt. Runs in
// one pass without recursion, whatever the text holds; valid or not, the parser sees it only
// when this finds nothing.
std::optional<TomlSyntaxProblem> findTooDeepNesting(std::string_view text);

// The parser's description of a syntax error ("Error while parsing string: unescaped control
// characters other than TAB...") in words a person acts on ("string not closed before the end
// of the line"). `atError` is the text from the error's position to the end of its line.
std::string plainTomlError(std::string_view description, std::string_view atError);

}  // namespace prober
