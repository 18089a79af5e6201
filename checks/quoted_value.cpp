#include "checks/quoted_value.h"

#include "checks/json_text.h"
#include "checks/text.h"

namespace prober {

std::string shownValue(std::string_view text, const std::vector<Secret>* secrets) {
  std::string whole(text);
  if (secrets != nullptr && !secrets->empty()) {
    whole = redactSecrets(std::move(whole), *secrets);
  }
  return textFromTarget(whole, kShownLimit + 3);  // 120 characters and "..."
}

std::string quotedValue(std::string_view text, const std::vector<Secret>* secrets) {
  return jsonQuoted(shownValue(text, secrets));
}

}  // namespace prober
