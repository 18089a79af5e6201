// Fuzzes the assertion parser and, for what parses, evaluation against a response built from
// the same input: the first line is the assertion, the second a header value, the rest the body.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/assertion.h"
#include "checks/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto firstLine = input.find('\n');
  const std::string_view text = input.substr(0, firstLine);
  const std::string_view rest =
      firstLine == std::string_view::npos ? std::string_view() : input.substr(firstLine + 1);
  const auto secondLine = rest.find('\n');
  // Assertions come from the config, whose strings the TOML parser has checked are UTF-8; a
  // message quotes its assertion as written.
  if (!prober::isValidUtf8(text)) {
    return 0;
  }
  std::string error;
  const auto assertion = prober::Assertion::parse(text, error);
  if (!assertion) {
    return 0;
  }
  prober::ProbeResult result;
  result.status = static_cast<int>(size % 600);
  result.headers = {{"Content-Type", std::string(rest.substr(0, secondLine))},
                    {"X-Fuzz", std::string(rest.substr(0, secondLine))}};
  result.body = secondLine == std::string_view::npos ? "" : std::string(rest.substr(secondLine + 1));
  result.bodySize = result.body.size();
  result.totalSeconds = static_cast<double>(size) / 1000.0;
  result.redirects = static_cast<int>(size % 11);
  result.certExpiry = std::chrono::system_clock::time_point(std::chrono::seconds(2'000'000'000));
  prober::EvaluationContext context(
      result, std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)));
  const auto outcome = assertion->evaluate(context);
  // Whatever the body held, the message people see is valid UTF-8.
  if (!prober::isValidUtf8(outcome.message)) {
    __builtin_trap();
  }
  return 0;
}
