#include "checks/config/unknown_key.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace prober {

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknownKeyMessage(std::string_view key, const std::set<std::string, std::less<>>& known,
                              std::string_view context) {
  std::string suggestion;
  std::size_t best = 3;
  for (const auto& candidate : known) {
    const std::size_t distance = editDistance(key, candidate);
    if (distance < best) {
      best = distance;
      suggestion = candidate;
    }
  }
  return suggestion.empty() ? fmt::format("unknown key \"{}\" in {}", key, context)
                            : fmt::format("unknown key \"{}\" in {} (did you mean \"{}\"?)", key,
                                          context, suggestion);
}

}  // namespace prober
