// The scan in front of the TOML parser: nesting past the limits is refused with its place,
// whatever the text; ordinary configs pass; the parser's errors read as plain words.
#include <doctest/doctest.h>

#include "checks/config/toml_syntax.h"

using prober::findTooDeepNesting;
using prober::plainTomlError;

namespace {
std::string repeat(const std::string& part, int times, const std::string& between = "") {
  std::string out;
  for (int i = 0; i < times; ++i) {
    out += (i == 0 ? "" : between) + part;
  }
  return out;
}
}  // namespace

TEST_CASE("ordinary configs pass the scan") {
  CHECK_FALSE(findTooDeepNesting(R"(
[prober]
listen = "127.0.0.1:9115"  # a comment with [[[ and a.b.c.d
[[check]]
name = "a.b.c"
url = "http://x/?q=[{}]"
headers = { "X.Y" = "1", Accept = "a.b" }
assert = ["status == 200", 'json $.a.b.c == "x"', """multi
[[[[[ line"""]
labels = { team = "t", env = "e" }
x.y.z = { a = [1, [2, [3]]], b = {} }
)"));
  CHECK_FALSE(findTooDeepNesting(""));
  CHECK_FALSE(findTooDeepNesting(repeat("a", 32, ".") + " = 1\n"));
  CHECK_FALSE(findTooDeepNesting("a = " + repeat("[", 32) + repeat("]", 32) + "\n"));
}

TEST_CASE("dotted keys past the limit are refused where the limit is passed") {
  const auto problem = findTooDeepNesting(repeat("a", 50000, ".") + " = 1\n");
  REQUIRE(problem);
  CHECK(problem->line == 1);
  CHECK(problem->column == 64);  // the 33rd part's dot: 32 parts of "a." end at column 63
  CHECK(problem->message == "key has more than 32 dotted parts");

  const auto header = findTooDeepNesting("x = 1\n[" + repeat("t", 40, ".") + "]\n");
  REQUIRE(header);
  CHECK(header->line == 2);
  CHECK(header->message == "table name has more than 32 dotted parts");

  const auto inline_ = findTooDeepNesting("x = { " + repeat("k", 40, ".") + " = 1 }\n");
  REQUIRE(inline_);
  CHECK(inline_->message == "key has more than 32 dotted parts");
}

TEST_CASE("arrays and inline tables nested past the limit are refused") {
  const auto arrays = findTooDeepNesting("a = " + repeat("[", 100000) + "\n");
  REQUIRE(arrays);
  CHECK(arrays->line == 1);
  CHECK(arrays->column == 5 + 32);
  CHECK(arrays->message == "arrays and inline tables nest more than 32 deep");

  const auto tables = findTooDeepNesting("a = " + repeat("{b = ", 1000) + "\n");
  REQUIRE(tables);
  CHECK(tables->message == "arrays and inline tables nest more than 32 deep");
}

TEST_CASE("strings and comments hide brackets and dots from the scan") {
  CHECK_FALSE(findTooDeepNesting("a = \"" + repeat("[", 100) + "\"\n"));
  CHECK_FALSE(findTooDeepNesting("a = '" + repeat("{", 100) + "'\n"));
  CHECK_FALSE(findTooDeepNesting("# " + repeat("a.", 100) + "\n"));
  CHECK_FALSE(findTooDeepNesting("\"" + repeat("a.", 100) + "\" = 1\n"));
  CHECK_FALSE(findTooDeepNesting("a = \"\"\"\n" + repeat("[", 100) + "\n\"\"\"\n"));
}

TEST_CASE("the parser's errors in plain words") {
  CHECK(plainTomlError("Error while parsing string: unescaped control characters other than "
                       "TAB (U+0009) are explicitly prohibited",
                       "\n") == "string not closed before the end of the line");
  CHECK(plainTomlError("Error while parsing string: encountered end-of-file", "") ==
        "string not closed before the end of the file");
  CHECK(plainTomlError("Error while parsing key-value pair: expected value, saw '\\n'", "\n") ==
        "a key needs a value after \"=\"");
  CHECK(plainTomlError("Error while parsing table header: cannot redefine existing table 'a'",
                       "") == "cannot redefine existing table 'a' (each key and table is "
                              "written once)");
  CHECK(plainTomlError("Error while parsing number: leading zeroes are prohibited", "") ==
        "TOML syntax (number): leading zeroes are prohibited");
}
