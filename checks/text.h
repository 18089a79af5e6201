#pragma once
// Text from targets is data (SPEC §9): whatever bytes a target sends, what people see is valid
// UTF-8, and shortening cuts between characters, never inside one.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace prober {

// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD; valid text comes back unchanged.
std::string validUtf8(std::string_view bytes);

bool isValidUtf8(std::string_view bytes);

// Characters (code points) in valid UTF-8 text.
std::size_t countCharacters(std::string_view text);

// Valid UTF-8 text cut to at most `maxCharacters` characters, `ellipsis` included when cut.
std::string cutToCharacters(std::string_view text, std::size_t maxCharacters,
                            std::string_view ellipsis = "...");

// What a message quotes from a target: made valid, then cut to `maxCharacters`.
std::string textFromTarget(std::string_view bytes, std::size_t maxCharacters);

// One character and what it becomes: '&' and "&amp;" for HTML, say.
struct CharacterEscape {
  char character;
  std::string_view replacement;
};
// `text` with every character that `escapes` names replaced: the one loop behind HTML, Slack
// and Prometheus label escaping, each with its own table.
std::string escapeCharacters(std::string_view text, std::initializer_list<CharacterEscape> escapes);

}  // namespace prober
