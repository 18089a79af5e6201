#pragma once
// Keeps ${VAR} values out of what people see. A check's secrets are sent to the target, and a
// target may send them back (an echo, an error page quoting the request); failure messages
// quote responses, so each message is scrubbed of every form a secret may take there.
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

// Standard base64 (RFC 4648, padded): how Basic credentials travel, so they are redacted too.
std::string base64(std::string_view bytes);

}  // namespace prober
