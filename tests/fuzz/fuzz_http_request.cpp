// Fuzzes how the daemon's HTTP server reads a request (its parser limits and the conversion
// handlers see) and the strict query parser its endpoints use.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "prober/web/server/form.h"
#include "prober/web/server/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto request = prober::parseServerRequest(bytes, error);
  if (!request) {
    return 0;
  }
  const auto query = request->target.find('?');
  if (query != std::string::npos) {
    (void)prober::parseForm(std::string_view(request->target).substr(query + 1), error, 4096);
  }
  (void)request->header("accept");
  return 0;
}
