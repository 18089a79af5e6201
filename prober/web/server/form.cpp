#include "prober/web/server/form.h"

#include <cctype>

#include <algorithm>
#include <cstdint>

namespace prober {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Decodes one form component; false on a bad escape.
bool formDecode(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int high = i + 1 < text.size() ? hexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return false;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

// Valid UTF-8 (no overlong forms, no surrogates) without control characters but tab and newline.
bool cleanText(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
        return false;
      }
      ++i;
      continue;
    }
    int length = 0;
    std::uint32_t point = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      point = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(length) > text.size()) {
      return false;
    }
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      point = point << 6 | (next & 0x3F);
    }
    const std::uint32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (point < smallest || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return false;
    }
    i += static_cast<std::size_t>(length);
  }
  return true;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parseForm(std::string_view body,
                                                            std::string& error, std::size_t limit) {
  std::map<std::string, std::string> form;
  if (body.size() > limit) {
    error = "the body is larger than " + std::to_string(limit) + " bytes";
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= body.size() && !body.empty()) {
    const std::size_t amp = std::min(body.find('&', start), body.size());
    const std::string_view pair = body.substr(start, amp - start);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      error = "a form field is not NAME=VALUE";
      return std::nullopt;
    }
    std::string key, value;
    if (!formDecode(pair.substr(0, equals), key) || !formDecode(pair.substr(equals + 1), value)) {
      error = "a form field has a malformed %-escape";
      return std::nullopt;
    }
    if (!cleanText(key) || !cleanText(value)) {
      error = "a form field is not valid UTF-8 text";
      return std::nullopt;
    }
    if (!form.emplace(std::move(key), std::move(value)).second) {
      error = "a form field is given twice";
      return std::nullopt;
    }
    start = amp + 1;
  }
  return form;
}

std::string urlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

}  // namespace prober
