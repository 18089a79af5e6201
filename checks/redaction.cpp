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

namespace {

// Where the userinfo of the URL starting at `schemeEnd` ("://") ends: the '@' before the host,
// or npos when the authority holds none.
std::size_t userinfoEnd(std::string_view text, std::size_t authorityStart) {
  const std::size_t authorityEnd = text.find_first_of("/?# \t\r\n\"'<>", authorityStart);
  const std::string_view authority = text.substr(
      authorityStart, authorityEnd == std::string_view::npos ? std::string_view::npos
                                                             : authorityEnd - authorityStart);
  const std::size_t at = authority.rfind('@');
  return at == std::string_view::npos ? std::string_view::npos : authorityStart + at;
}

}  // namespace

std::optional<std::string> urlCredential(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t start = scheme + 3;
  const std::size_t at = userinfoEnd(url, start);
  if (at == std::string_view::npos || at == start) {
    return std::nullopt;
  }
  const std::string_view userinfo = url.substr(start, at - start);
  const std::size_t colon = userinfo.find(':');
  const std::string_view secret =
      colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1);
  if (secret.empty()) {
    return std::nullopt;
  }
  return std::string(secret);
}

std::string redactUrlCredentials(std::string text) {
  std::size_t scheme = 0;
  while ((scheme = text.find("://", scheme)) != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t at = userinfoEnd(text, start);
    scheme = start;
    if (at == std::string::npos || at == start) {
      continue;
    }
    const std::size_t colon = text.find(':', start);
    const std::size_t secretStart = colon != std::string::npos && colon < at ? colon + 1 : start;
    if (secretStart == at ||
        text.compare(secretStart, at - secretStart, kRedactedCredential) == 0) {
      continue;  // no password, or already redacted
    }
    text.replace(secretStart, at - secretStart, kRedactedCredential);
    scheme = secretStart + kRedactedCredential.size();
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
