#pragma once
// What a config error says about a key nobody reads: its name and the closest known key, so a
// typo ("routing_ky") points at the fix.
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace prober {

// Edits (insertions, deletions, substitutions) from `a` to `b`: how close a typo is to a key.
std::size_t editDistance(std::string_view a, std::string_view b);

// "unknown key "KEY" in CONTEXT", with " (did you mean "CLOSEST"?)" when a known key is within
// two edits.
std::string unknownKeyMessage(std::string_view key, const std::set<std::string, std::less<>>& known,
                              std::string_view context);

}  // namespace prober
