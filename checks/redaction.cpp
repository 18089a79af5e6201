#include "checks/redaction.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "checks/template.h"

namespace prober {

namespace {

void replaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) {
    return;
  }
  std::size_t pos = 0;
  while ((pos = text.find(what, pos)) != std::string::npos) {
    text.replace(pos, what.size(), with);
    pos += with.size();
  }
}

std::string jsonEscaped(const std::string& value) {
  const std::string quoted = boost::json::serialize(boost::json::string(value));
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

std::string redactSecrets(std::string text, const std::vector<Secret>& secrets) {
  for (const Secret& secret : secrets) {
    replaceAll(text, secret.value, secret.shown);
    replaceAll(text, percentEncode(secret.value), secret.shown);
    replaceAll(text, jsonEscaped(secret.value), secret.shown);
  }
  return text;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (const std::size_t left = bytes.size() - i; left > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (left == 2) {
      n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    }
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += left == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace prober
