#include "prober/web/pages/check_filter.h"

#include <algorithm>
#include <cctype>

namespace prober {

namespace {

constexpr std::size_t kMaxWords = 16;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view haystack, const std::string& needleLower) {
  return lower(haystack).find(needleLower) != std::string::npos;
}

}  // namespace

CheckFilter::CheckFilter(std::string_view query) {
  std::size_t at = 0;
  while (words_.size() < kMaxWords) {
    at = query.find_first_not_of(" \t", at);
    if (at == std::string_view::npos) {
      break;
    }
    const std::size_t end = std::min(query.find_first_of(" \t", at), query.size());
    const std::string_view word = query.substr(at, end - at);
    at = end;
    const std::size_t colon = word.find(':');
    if (colon != std::string_view::npos && colon > 0 && colon + 1 < word.size()) {
      words_.push_back(Word{std::string(word.substr(0, colon)), lower(word.substr(colon + 1))});
    } else {
      words_.push_back(Word{"", lower(word)});
    }
  }
}

bool CheckFilter::matches(const CheckSpec& spec, ShownState state) const {
  return std::all_of(words_.begin(), words_.end(), [&](const Word& word) {
    if (word.key == "state") {
      return stateWord(state) == word.value;
    }
    if (!word.key.empty()) {
      const auto label = spec.labels.find(word.key);
      return label != spec.labels.end() && contains(label->second, word.value);
    }
    if (contains(spec.name, word.value) || contains(spec.displayUrl(), word.value)) {
      return true;
    }
    return std::any_of(spec.labels.begin(), spec.labels.end(),
                       [&](const auto& label) { return contains(label.second, word.value); });
  });
}

}  // namespace prober
