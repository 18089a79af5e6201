#pragma once
// How a failure message shows what a target sent (SPEC §9): secrets replaced first, while the
// text is whole; then made valid UTF-8 and cut at 120 characters between characters.
#include <string>
#include <string_view>
#include <vector>

#include "checks/redaction.h"

namespace prober {

// The longest value a message quotes, in characters ("..." follows when cut).
inline constexpr std::size_t kShownLimit = 120;

// `text` as a message shows it, unquoted: JSON text of a value, say.
std::string shownValue(std::string_view text, const std::vector<Secret>* secrets = nullptr);

// `text` as a message quotes it: shownValue as a JSON string, so every output escapes one way
// (no raw control characters, no terminal escapes).
std::string quotedValue(std::string_view text, const std::vector<Secret>* secrets = nullptr);

}  // namespace prober
