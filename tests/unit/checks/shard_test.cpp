// Shards by rendezvous hashing: every check on exactly one shard, an even spread, few moves
// when a shard is added, and the k/n syntax.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "checks/shard.h"

namespace {

std::vector<std::string> names(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    out.push_back("check-" + std::to_string(i));
  }
  return out;
}

}  // namespace

TEST_CASE("shards: every check is owned by exactly one shard, about evenly") {
  const auto all = names(10'000);
  for (int count = 1; count <= 7; ++count) {
    CAPTURE(count);
    std::vector<int> perShard(static_cast<std::size_t>(count) + 1, 0);
    for (const std::string& name : all) {
      int owners = 0;
      for (int index = 1; index <= count; ++index) {
        owners += prober::Shard{index, count}.owns(name) ? 1 : 0;
      }
      REQUIRE(owners == 1);
      ++perShard[static_cast<std::size_t>(prober::shardOf(name, count))];
    }
    for (int index = 1; index <= count; ++index) {
      // 10,000 / count each, within 10 %.
      CHECK(perShard[static_cast<std::size_t>(index)] > 9'000 / count);
      CHECK(perShard[static_cast<std::size_t>(index)] < 11'000 / count);
    }
  }
}

TEST_CASE(
    "shards: going from n to n + 1 moves about 1 / (n + 1) of the checks, all to the new one") {
  const auto all = names(10'000);
  for (int count = 1; count <= 9; ++count) {
    CAPTURE(count);
    int moved = 0;
    for (const std::string& name : all) {
      const int before = prober::shardOf(name, count);
      const int after = prober::shardOf(name, count + 1);
      if (before != after) {
        ++moved;
        CHECK(after == count + 1);  // a check only ever moves to the new shard
      }
    }
    const double share = moved / 10'000.0;
    const double expected = 1.0 / (count + 1);
    MESSAGE("n = " << count << " -> " << count + 1 << ": " << moved << " of 10000 moved ("
                   << share * 100 << " %, expected " << expected * 100 << " %)");
    CHECK(share > expected * 0.9);
    CHECK(share < expected * 1.1);
  }
}

TEST_CASE("shards: the k/n syntax and its errors") {
  std::string error;
  const auto shard = prober::parseShard("2/3", error);
  REQUIRE(shard.has_value());
  CHECK(*shard == prober::Shard{2, 3});
  CHECK(shard->text() == "2/3");
  CHECK(prober::Shard{1, 1}.owns("anything"));
  struct Row {
    const char* text;
    const char* error;
  };
  const Row rows[] = {
      {"3", "shard \"3\" is not k/n (this instance's shard k of n, such as \"2/3\")"},
      {"a/b", "shard \"a/b\" is not k/n (this instance's shard k of n, such as \"2/3\")"},
      {"0/3", "shard \"0/3\": k must be from 1 to n, and n from 1 to 1000"},
      {"4/3", "shard \"4/3\": k must be from 1 to n, and n from 1 to 1000"},
      {"1/1001", "shard \"1/1001\": k must be from 1 to n, and n from 1 to 1000"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    error.clear();
    CHECK_FALSE(prober::parseShard(row.text, error).has_value());
    CHECK(error == row.error);
  }
}
