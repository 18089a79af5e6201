#include "checks/text.h"

#include <algorithm>

#include <utf8.h>

#include <iterator>

namespace prober {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Bytes a UTF-8 character starting with `lead` takes (1 for anything that is not a lead byte).
std::size_t sequenceLength(unsigned char lead) {
  if (lead >= 0xF0) {
    return 4;
  }
  if (lead >= 0xE0) {
    return 3;
  }
  if (lead >= 0xC0) {
    return 2;
  }
  return 1;
}

// Byte offset just past the first `count` characters of valid UTF-8 text (or its size).
std::size_t offsetOfCharacter(std::string_view text, std::size_t count) {
  std::size_t offset = 0;
  for (std::size_t i = 0; i < count && offset < text.size(); ++i) {
    offset += sequenceLength(static_cast<unsigned char>(text[offset]));
  }
  return std::min(offset, text.size());
}

}  // namespace

std::string validUtf8(std::string_view bytes) {
  if (utf8::is_valid(bytes.begin(), bytes.end())) {
    return std::string(bytes);
  }
  std::string out;
  out.reserve(bytes.size() + 8);
  utf8::replace_invalid(bytes.begin(), bytes.end(), std::back_inserter(out), kReplacement);
  return out;
}

bool isValidUtf8(std::string_view bytes) {
  return utf8::is_valid(bytes.begin(), bytes.end());
}

std::size_t countCharacters(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    // Every character has exactly one byte that is not a continuation byte (10xxxxxx).
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return count;
}

std::string cutToCharacters(std::string_view text, std::size_t maxCharacters,
                            std::string_view ellipsis) {
  if (countCharacters(text) <= maxCharacters) {
    return std::string(text);
  }
  const std::size_t room =
      maxCharacters > countCharacters(ellipsis) ? maxCharacters - countCharacters(ellipsis) : 0;
  std::string out(text.substr(0, offsetOfCharacter(text, room)));
  out += ellipsis.substr(0, offsetOfCharacter(ellipsis, maxCharacters - room));
  return out;
}

std::string textFromTarget(std::string_view bytes, std::size_t maxCharacters) {
  return cutToCharacters(validUtf8(bytes), maxCharacters);
}

std::string escapeCharacters(std::string_view text,
                             std::initializer_list<CharacterEscape> escapes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto* escape = std::find_if(escapes.begin(), escapes.end(),
                                      [c](const CharacterEscape& e) { return e.character == c; });
    if (escape != escapes.end()) {
      out += escape->replacement;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace prober
