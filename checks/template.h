#pragma once
// {{name}} placeholders in a step's url, headers and body, filled in on every run from the
// values earlier steps extracted and from the built-ins (timestamp, uuid, random_int).
#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prober {

// Values by name, in the order they were set; a later value of the same name replaces it.
class Variables {
 public:
  void set(std::string_view name, std::string value);
  const std::string* find(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// {{timestamp}} (unix seconds), {{uuid}} (random, version 4), {{random_int}} (0 to 2^31-1).
// Each has one value per run, so a flow can create a thing with {{uuid}} and then read it back.
inline constexpr std::array<std::string_view, 3> kBuiltinVariables = {"timestamp", "uuid",
                                                                      "random_int"};
bool isBuiltinVariable(std::string_view name);
void setBuiltinVariables(Variables& variables, std::chrono::system_clock::time_point now);

// A variable name: [A-Za-z_][A-Za-z0-9_]*.
bool isValidVariableName(std::string_view name);

struct Placeholder {
  std::string name;
  std::size_t offset = 0;  // where "{{" starts in the text
};
// Every {{name}} in `text` (spaces inside the braces allowed). Braces around anything that is
// not a variable name are not placeholders and are sent as written.
std::vector<Placeholder> placeholdersIn(std::string_view text);

// How a value is written where its placeholder stood.
enum class Escape {
  None,        // as it is (url, headers, raw body; query and form values are encoded later)
  JsonString,  // inside a JSON string: quotes, backslashes and control characters escaped
};

// RFC 3986 percent-encoding: everything but letters, digits and - . _ ~ (query and form values).
std::string percentEncode(std::string_view text);
// "a=1&b=two%20words": pairs percent-encoded and joined, for a query string or a form body.
std::string encodePairs(const std::vector<std::pair<std::string, std::string>>& pairs);

// `text` with each placeholder replaced by its value; a placeholder without a value is left as
// written (the loader refuses configs that name a variable no earlier step extracts).
std::string fillPlaceholders(std::string_view text, const Variables& variables, Escape escape);

// `text` with every placeholder replaced by "x": what a url looks like once filled, for checking
// its shape at load.
std::string withSampleValues(std::string_view text);

}  // namespace prober
