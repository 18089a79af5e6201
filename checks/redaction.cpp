#include "checks/redaction.h"

#include "checks/json_text.h"
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
  std::string escaped;
  appendJsonEscaped(escaped, value);
  return escaped;
}

}  // namespace

// How deep JSON-in-JSON goes in practice: an echo puts the request body (JSON) in a string of
// its answer, and an assertion's message quotes that answer once more.
constexpr int kEscapeLevels = 3;

std::string redactSecrets(std::string text, const std::vector<Secret>& secrets) {
  for (const Secret& secret : secrets) {
    // The most escaped form first: replacing an inner form first could leave the outer one
    // half matched.
    std::vector<std::string> forms{secret.value};
    for (int level = 1; level <= kEscapeLevels; ++level) {
      std::string escaped = jsonEscaped(forms.back());
      if (escaped == forms.back()) {
        break;  // nothing to escape: every level looks the same
      }
      forms.push_back(std::move(escaped));
    }
    for (auto form = forms.rbegin(); form != forms.rend(); ++form) {
      replaceAll(text, *form, secret.shown);
    }
    replaceAll(text, percentEncode(secret.value), secret.shown);
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
