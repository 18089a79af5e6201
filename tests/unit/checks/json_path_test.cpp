// JSON paths: parsing, lookups and the edge cases around them.
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "checks/json_path.h"

namespace {

std::string lookup(const char* json, const char* pathText, std::string* missing = nullptr) {
  std::string error;
  auto path = prober::JsonPath::parse(pathText, error);
  REQUIRE_MESSAGE(path.has_value(), error);
  const boost::json::value root = boost::json::parse(json);
  const boost::json::value* found = path->find(root, missing);
  return found == nullptr ? "<missing>" : boost::json::serialize(*found);
}

std::string parseError(const char* pathText) {
  std::string error;
  CHECK_FALSE(prober::JsonPath::parse(pathText, error).has_value());
  return error;
}

}  // namespace

TEST_CASE("members, indexes and quoted names are followed") {
  const char* doc =
      R"({"a":{"b":1},"items":[{"id":7},{"id":8}],"key with space":"x","k.dot":2,"":3})";
  CHECK(lookup(doc, "$") == boost::json::serialize(boost::json::parse(doc)));
  CHECK(lookup(doc, "$.a.b") == "1");
  CHECK(lookup(doc, "$.items[1].id") == "8");
  CHECK(lookup(doc, "$.items[0]") == R"({"id":7})");
  CHECK(lookup(doc, R"($["key with space"])") == R"("x")");
  CHECK(lookup(doc, "$['k.dot']") == "2");
  CHECK(lookup(doc, R"($[""])") == "3");
  CHECK(lookup(doc, R"($["a"]["b"])") == "1");
}

TEST_CASE("a missing segment names the shortest missing prefix") {
  const char* doc = R"({"a":{"b":1},"items":[1,2]})";
  std::string missing;
  CHECK(lookup(doc, "$.a.c.d", &missing) == "<missing>");
  CHECK(missing == "$.a.c");
  CHECK(lookup(doc, "$.items[5]", &missing) == "<missing>");
  CHECK(missing == "$.items[5]");
  CHECK(lookup(doc, "$.a[0]", &missing) == "<missing>");  // index into an object
  CHECK(missing == "$.a[0]");
  CHECK(lookup(doc, "$.items.x", &missing) == "<missing>");  // member of an array
  CHECK(lookup("[1,2]", "$[1]") == "2");
  CHECK(lookup("null", "$.a", &missing) == "<missing>");
}

TEST_CASE("malformed paths are refused with the reason") {
  CHECK(parseError("a.b") == "JSON path \"a.b\" must start with $");
  CHECK(parseError("$.") == "JSON path \"$.\": expected a member name after '.' at offset 2");
  CHECK(parseError("$.a[") ==
        "JSON path \"$.a[\": expected an array index (0, 1, ...) or a quoted name at offset 4");
  CHECK(parseError("$.a[-1]") ==
        "JSON path \"$.a[-1]\": expected an array index (0, 1, ...) or a quoted name at offset 4");
  CHECK(parseError("$.a[1") == "JSON path \"$.a[1\": expected ']' at offset 5");
  CHECK(parseError("$[\"open") == "JSON path \"$[\"open\": unterminated quoted name");
  CHECK(parseError("$.a b") == "JSON path \"$.a b\": unexpected ' ' at offset 3");
}
