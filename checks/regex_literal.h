#pragma once
// A regex written between slashes, as assertions and extractions take it: /^ok$/ or /ok/i.
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace prober {

// Compiles the literal starting at text[pos] (the opening slash) and moves `pos` past it (and
// past a trailing `i`, which makes it case-insensitive). On error returns nullptr and sets
// `error`. Inside, \/ stands for a slash; other escapes go to RE2 as written.
std::shared_ptr<const re2::RE2> parseRegexLiteral(std::string_view text, std::size_t& pos,
                                                  std::string& error);

}  // namespace prober
