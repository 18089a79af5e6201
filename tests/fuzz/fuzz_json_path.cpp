// Fuzzes JSON path parsing and evaluation: the first line is the path, the rest a document.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/json_path.h"
#include "checks/json_text.h"
#include "checks/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  std::string error;
  const auto path = prober::JsonPath::parse(input.substr(0, newline), error);
  if (!path || newline == std::string_view::npos) {
    return 0;
  }
  boost::system::error_code ec;
  const boost::json::value document = boost::json::parse(input.substr(newline + 1), ec);
  if (ec) {
    return 0;
  }
  std::string missing;
  if (const boost::json::value* found = path->find(document, &missing)) {
    // What a message would quote of it is valid UTF-8.
    if (!prober::isValidUtf8(prober::toJsonText(*found))) {
      __builtin_trap();
    }
  }
  return 0;
}
