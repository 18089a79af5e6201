// Shards by rendezvous hashing: every check on exactly one shard, an even spread, few moves
// when a shard is added, and the k/n syntax.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "checks/config/config_loader.h"
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

// depends_on across shards never holds anything (the parent's alert lives in another
// instance): refused at load, against [prober] shard or run --shard, by every shard alike.
TEST_CASE("shards: depends_on naming a check of another shard is refused at load") {
  std::string together;  // a name on the same shard of 2 as "core", and one on the other
  std::string apart;
  for (int i = 0; i < 100 && (together.empty() || apart.empty()); ++i) {
    const std::string name = "web-" + std::to_string(i);
    (prober::shardOf(name, 2) == prober::shardOf("core", 2) ? together : apart) = name;
  }
  REQUIRE_FALSE(together.empty());
  REQUIRE_FALSE(apart.empty());
  const auto config = [](const std::string& shard, const std::string& child) {
    std::string text = "[prober]\n";
    if (!shard.empty()) {
      text += "shard = \"" + shard + "\"\n";
    }
    return text +
           "[[check]]\nname = \"core\"\nurl = \"http://core.test/\"\n\n[[check]]\nname = \"" +
           child + "\"\nurl = \"http://web.test/\"\ndepends_on = [\"core\"]\n";
  };
  const auto none = [](const std::string&) { return std::nullopt; };
  CHECK(prober::loadConfigText(config("1/2", together), "/t.toml", none).config.has_value());
  CHECK(prober::loadConfigText(config("", apart), "/t.toml", none).config.has_value());
  for (const std::string shard : {"1/2", "2/2"}) {
    const auto refused = prober::loadConfigText(config(shard, apart), "/t.toml", none);
    REQUIRE(refused.errors.size() == 1);
    CHECK(prober::toString(refused.errors.front()) ==
          "/t.toml:10:14: check \"" + apart +
              "\": depends_on names \"core\", which runs on shard " +
              std::to_string(prober::shardOf("core", 2)) + "/2 while this check runs on " +
              std::to_string(prober::shardOf(apart, 2)) +
              "/2: a parent's alert holds pages only in the instance that runs both; run these "
              "checks unsharded or drop depends_on");
  }
  prober::LoadOptions flag;  // run --shard 1/2 on a config that names no shard
  flag.shard = prober::Shard{1, 2};
  CHECK_FALSE(prober::loadConfigText(config("", apart), "/t.toml", none, flag).config);
}
