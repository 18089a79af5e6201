#include "checks/json_path.h"

#include <fmt/format.h>
#include <cctype>
#include <charconv>

namespace prober {
namespace {

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '$' ||
         c == '@';
}

// Reads a quoted member name starting at text[pos] (the quote); handles \" \' \\ escapes.
bool readQuoted(std::string_view text, std::size_t& pos, std::string& out, std::string& error) {
  const char quote = text[pos++];
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == '\\') {
      if (pos >= text.size()) {
        break;
      }
      out.push_back(text[pos++]);
    } else if (c == quote) {
      return true;
    } else {
      out.push_back(c);
    }
  }
  error = "unterminated quoted name";
  return false;
}

}  // namespace

std::optional<JsonPath> JsonPath::parse(std::string_view text, std::string& error) {
  JsonPath path;
  path.text_ = std::string(text);
  if (text.empty() || text[0] != '$') {
    error = fmt::format("JSON path \"{}\" must start with $", text);
    return std::nullopt;
  }
  std::size_t pos = 1;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '.') {
      ++pos;
      const std::size_t start = pos;
      while (pos < text.size() && isNameChar(text[pos])) {
        ++pos;
      }
      if (pos == start) {
        error = fmt::format("JSON path \"{}\": expected a member name after '.' at offset {}", text,
                            start);
        return std::nullopt;
      }
      path.segments_.emplace_back(std::string(text.substr(start, pos - start)));
      path.segmentEnds_.push_back(pos);
    } else if (c == '[') {
      ++pos;
      if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
        std::string name;
        std::string quoteError;
        if (!readQuoted(text, pos, name, quoteError)) {
          error = fmt::format("JSON path \"{}\": {}", text, quoteError);
          return std::nullopt;
        }
        path.segments_.emplace_back(std::move(name));
      } else {
        std::size_t index = 0;
        auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), index);
        if (ec != std::errc{} || ptr == text.data() + pos) {
          error = fmt::format(
              "JSON path \"{}\": expected an array index (0, 1, ...) or a quoted name at offset {}",
              text, pos);
          return std::nullopt;
        }
        pos = static_cast<std::size_t>(ptr - text.data());
        path.segments_.emplace_back(index);
      }
      if (pos >= text.size() || text[pos] != ']') {
        error = fmt::format("JSON path \"{}\": expected ']' at offset {}", text, pos);
        return std::nullopt;
      }
      ++pos;
      path.segmentEnds_.push_back(pos);
    } else {
      error = fmt::format("JSON path \"{}\": unexpected '{}' at offset {}", text, c, pos);
      return std::nullopt;
    }
  }
  return path;
}

const boost::json::value* JsonPath::find(const boost::json::value& root,
                                         std::string* missing) const {
  const boost::json::value* current = &root;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& segment = segments_[i];
    const boost::json::value* next = nullptr;
    if (const auto* name = std::get_if<std::string>(&segment)) {
      if (const auto* object = current->if_object()) {
        next = object->if_contains(*name);
      }
    } else {
      const std::size_t index = std::get<std::size_t>(segment);
      if (const auto* array = current->if_array(); array != nullptr && index < array->size()) {
        next = &(*array)[index];
      }
    }
    if (next == nullptr) {
      if (missing != nullptr) {
        *missing = text_.substr(0, segmentEnds_[i]);
      }
      return nullptr;
    }
    current = next;
  }
  return current;
}

}  // namespace prober
