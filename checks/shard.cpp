#include "checks/shard.h"

#include "checks/text.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace prober {

namespace {

constexpr int kMaxShards = 1000;

// FNV-1a over the name, then the shard number mixed in with splitmix64's finalizer: scores
// that are independent across shards, the same on every machine and in every version.
std::uint64_t score(std::string_view name, int shard) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  std::uint64_t z = hash + 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(shard);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::optional<int> number(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

int shardOf(std::string_view checkName, int count) {
  int best = 1;
  std::uint64_t bestScore = 0;
  for (int shard = 1; shard <= count; ++shard) {
    const std::uint64_t s = score(checkName, shard);
    if (shard == 1 || s > bestScore) {
      best = shard;
      bestScore = s;
    }
  }
  return best;
}

bool Shard::owns(std::string_view checkName) const {
  return count <= 1 || shardOf(checkName, count) == index;
}

std::string Shard::text() const {
  return fmt::format("{}/{}", index, count);
}

std::optional<Shard> parseShard(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : number(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : number(text.substr(slash + 1));
  if (!index || !count) {
    error = fmt::format("shard \"{}\" is not k/n (this instance's shard k of n, such as \"2/3\")",
                        cutToCharacters(validUtf8(std::string(text)), 40));
    return std::nullopt;
  }
  if (*count < 1 || *count > kMaxShards || *index < 1 || *index > *count) {
    error = fmt::format("shard \"{}\": k must be from 1 to n, and n from 1 to {}", text,
                        kMaxShards);
    return std::nullopt;
  }
  return Shard{*index, *count};
}

}  // namespace prober
