#pragma once
// Sharding checks across instances with no coordination: rendezvous (highest random weight)
// hashing of the check name. Every instance loads the same config and runs the checks whose
// highest-scoring shard is its own; going from n to n + 1 shards moves only the checks the new
// shard wins, about 1 / (n + 1) of them.
#include <optional>
#include <string>
#include <string_view>

namespace prober {

struct Shard {
  int index = 1;  // 1..count
  int count = 1;

  bool operator==(const Shard&) const = default;
  // Whether this shard runs the check.
  bool owns(std::string_view checkName) const;
  std::string text() const;  // "2/3"
};

// "k/n" with 1 <= k <= n <= 1000; nullopt with `error` saying why.
std::optional<Shard> parseShard(std::string_view text, std::string& error);

// The shard (1..count) that runs a check of this name.
int shardOf(std::string_view checkName, int count);

}  // namespace prober
