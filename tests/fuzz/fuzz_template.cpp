// Fuzzes {{placeholder}} expansion: the first line is the text, the second a value for every
// variable it names; both escapes, and percent-encoding.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view text = input.substr(0, newline);
  const std::string value(newline == std::string_view::npos ? "" : input.substr(newline + 1));
  prober::Variables variables;
  for (const auto& placeholder : prober::placeholdersIn(text)) {
    if (placeholder.offset >= text.size()) {
      __builtin_trap();
    }
    variables.set(placeholder.name, value);
  }
  prober::setBuiltinVariables(variables, std::chrono::system_clock::time_point{});
  (void)prober::fillPlaceholders(text, variables, prober::Escape::None);
  (void)prober::fillPlaceholders(text, variables, prober::Escape::JsonString);
  (void)prober::withSampleValues(text);
  (void)prober::percentEncode(text);
  (void)prober::encodePairs({{std::string(text), value}});
  return 0;
}
