#pragma once
// A JSONPath-like path compiled once: `$`, `$.a.b`, `$.items[0].id`, `$["key with space"]`.
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace prober {

class JsonPath {
 public:
  // Parses a path; on error returns nullopt and sets `error` to a message for people.
  static std::optional<JsonPath> parse(std::string_view text, std::string& error);

  // The value at this path, or nullptr when some segment does not exist. When it does not,
  // `missing` names the shortest prefix that was not found (for messages).
  const boost::json::value* find(const boost::json::value& root, std::string* missing) const;

  const std::string& text() const { return text_; }

 private:
  using Segment = std::variant<std::string, std::size_t>;  // member name or array index
  std::string text_;
  std::vector<Segment> segments_;
  std::vector<std::size_t> segmentEnds_;  // offset in text_ where each segment ends
};

}  // namespace prober
