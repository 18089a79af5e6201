#pragma once
// Keeps ${VAR} values out of what people see. A check's secrets are sent to the target, and a
// target may send them back (an echo, an error page quoting the request); failure messages
// quote responses, so each message is scrubbed of every form a secret may take there.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prober {

struct Secret {
  std::string value;  // as sent
  std::string shown;  // what replaces it: "${API_TOKEN}"
};

// Replaces each secret in `text`, as it is, percent-encoded and JSON-escaped (up to three
// times over: JSON quoted inside JSON), by its `shown`.
std::string redactSecrets(std::string text, const std::vector<Secret>& secrets);

// Credentials written into a URL ("http://user:pass@host/"): what a request sends and nobody
// may read back. The secret part of the URL's userinfo (the password, or the whole userinfo when
// it has no ':': a token), as written; nullopt when the URL has none.
std::optional<std::string> urlCredential(std::string_view url);
// What a URL's secret part is shown as.
inline constexpr std::string_view kRedactedCredential = "***";
// `text` with the credentials of every URL in it replaced: "http://user:pass@am:9093" becomes
// "http://user:***@am:9093", "https://token@host/" becomes "https://***@host/". For text
// that quotes URLs from the config (a notifier's, a check's) before anyone may see it.
std::string redactUrlCredentials(std::string text);

// Standard base64 (RFC 4648, padded): how Basic credentials travel, so they are redacted too.
std::string base64(std::string_view bytes);

}  // namespace prober
