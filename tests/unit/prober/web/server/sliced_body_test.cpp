// writtenInSlices: the head first, each item once and in order, no slice over its count or
// (past one item) its bytes, the end once after the last item.
#include "prober/web/server/sliced_body.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

// Pulls a body to its end as the server does: the pieces, one a call.
std::vector<std::string> pieces(prober::BodySource& source) {
  std::vector<std::string> out;
  for (int call = 0; call < 1000; ++call) {
    std::string piece;
    const bool more = source(piece);
    out.push_back(piece);
    if (!more) {
      return out;
    }
  }
  FAIL("the body never ended");
  return out;
}

}  // namespace

TEST_CASE("a body in slices: the head, then at most the slice's count of items a call, the end") {
  std::vector<std::size_t> seen;
  prober::BodySource source = prober::writtenInSlices(
      "[", 10,
      [&seen](std::string& out, std::size_t i) {
        seen.push_back(i);
        out += std::to_string(i);
      },
      [](std::string& out) { out += "]"; }, {3, 1024});
  const auto got = pieces(source);
  CHECK(got == std::vector<std::string>{"[012", "345", "678", "9]"});
  CHECK(seen == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("a body in slices ends a slice once its text reaches the bytes allowed") {
  prober::BodySource source = prober::writtenInSlices(
      "", 7, [](std::string& out, std::size_t) { out += "0123456789"; },
      [](std::string& out) { out += "!"; }, {100, 25});
  const auto got = pieces(source);
  REQUIRE(got.size() == 3);
  CHECK(got[0].size() == 30);  // the item that crosses 25 bytes is the last of its slice
  CHECK(got[1].size() == 30);
  CHECK(got[2] == "0123456789!");
}

TEST_CASE("a body in slices over items that write nothing gives empty pieces, then the end") {
  int counted = 0;
  prober::BodySource source = prober::writtenInSlices(
      "", 5000, [&counted](std::string&, std::size_t) { ++counted; },
      [&counted](std::string& out) { out = std::to_string(counted); });
  const auto got = pieces(source);
  CHECK(got == std::vector<std::string>{"", "", "5000"});  // 2,048 items a slice by default
}

TEST_CASE("a body in slices over no items is its head and its end, in one call") {
  prober::BodySource source = prober::writtenInSlices(
      "{", 0, [](std::string&, std::size_t) { FAIL("no item"); },
      [](std::string& out) { out += "}"; });
  CHECK(pieces(source) == std::vector<std::string>{"{}"});
}

TEST_CASE("a JSON array in slices: items between commas, none before the first, whole at the end") {
  const auto whole = [](std::size_t count) {
    prober::BodySource source = prober::jsonArrayInSlices(
        "{\"a\":[", count, [](std::size_t i) { return std::to_string(i); }, "]}");
    std::string all;
    for (const std::string& piece : pieces(source)) {
      all += piece;
    }
    return all;
  };
  CHECK(whole(0) == "{\"a\":[]}");
  CHECK(whole(1) == "{\"a\":[0]}");
  CHECK(whole(3) == "{\"a\":[0,1,2]}");
}
