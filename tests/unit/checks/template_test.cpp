// {{placeholders}} and extractions, apart from any request.
#include <doctest/doctest.h>

#include "checks/extraction.h"
#include "checks/template.h"

using prober::Escape;
using prober::Extraction;
using prober::Variables;

TEST_CASE("placeholders are found with their names; other braces are not placeholders") {
  const auto found = prober::placeholdersIn("/a/{{id}}/{{ token }}?x={{}}&y={{ a b }}&z={{9x}}{{uuid}}");
  REQUIRE(found.size() == 3);
  CHECK(found[0].name == "id");
  CHECK(found[0].offset == 3);
  CHECK(found[1].name == "token");
  CHECK(found[2].name == "uuid");
  CHECK(prober::placeholdersIn("{\"a\":{\"b\":1}}").empty());
}

TEST_CASE("filling in replaces known names and leaves unknown ones as written") {
  Variables vars;
  vars.set("id", "42");
  vars.set("token", "abc");
  vars.set("id", "43");  // a later value replaces the earlier one
  CHECK(prober::fillPlaceholders("/items/{{id}}/{{ token }}/{{other}}", vars, Escape::None) ==
        "/items/43/abc/{{other}}");
  CHECK(prober::fillPlaceholders("no placeholders", vars, Escape::None) == "no placeholders");
  CHECK(prober::fillPlaceholders("{{id}}{{id}}", vars, Escape::None) == "4343");
}

TEST_CASE("values are escaped for where they go") {
  Variables vars;
  vars.set("v", "a \"b\"\\\n\x01&=/é");
  CHECK(prober::fillPlaceholders(R"({"k":"{{v}}"})", vars, Escape::JsonString) ==
        R"({"k":"a \"b\"\\\n\u0001&=/é"})");
  CHECK(prober::percentEncode(*vars.find("v")) == "a%20%22b%22%5C%0A%01%26%3D%2F%C3%A9");
  CHECK(prober::encodePairs({{"a b", "1&2"}, {"c", ""}, {"d_-.~", "x"}}) ==
        "a%20b=1%262&c=&d_-.~=x");
}

TEST_CASE("built-in variables: a unix timestamp, a version 4 uuid, a non-negative int") {
  Variables vars;
  prober::setBuiltinVariables(vars, std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)));
  CHECK(*vars.find("timestamp") == "1700000000");
  const std::string uuid = *vars.find("uuid");
  REQUIRE(uuid.size() == 36);
  CHECK(uuid[8] == '-');
  CHECK(uuid[14] == '4');
  CHECK(std::string("89ab").find(uuid[19]) != std::string::npos);
  const long long value = std::stoll(*vars.find("random_int"));
  CHECK(value >= 0);
  CHECK(value <= 2147483647LL);
  Variables other;
  prober::setBuiltinVariables(other, std::chrono::system_clock::now());
  CHECK(*other.find("uuid") != uuid);
}

namespace {

prober::ProbeResult response() {
  prober::ProbeResult r;
  r.status = 201;
  r.headers = {{"Location", "/items/7"}, {"Content-Type", "application/json"}};
  r.body = R"({"token":"t-1","n":5,"ok":true,"obj":{"a":[1,2]},"none":null, "text":"id=99;"})";
  r.bodySize = r.body.size();
  return r;
}

std::optional<std::string> extract(const std::string& text, std::string& missing) {
  std::string error;
  auto extraction = Extraction::parse("v", text, error);
  REQUIRE_MESSAGE(extraction, error);
  const prober::ProbeResult r = response();
  prober::EvaluationContext context(r, std::chrono::system_clock::now());
  return extraction->apply(context, missing);
}

}  // namespace

TEST_CASE("extractions read status, headers, body regex groups and JSON values") {
  std::string missing;
  CHECK(extract("status", missing) == "201");
  CHECK(extract("header location", missing) == "/items/7");
  CHECK(extract("json $.token", missing) == "t-1");
  CHECK(extract("json $.n", missing) == "5");
  CHECK(extract("json $.ok", missing) == "true");
  CHECK(extract("json $.obj", missing) == R"({"a":[1,2]})");
  CHECK(extract(R"(body /id=(\d+);/)", missing) == "99");
  CHECK(extract(R"(body /"n":\d/)", missing) == R"("n":5)");  // no group: the whole match
  CHECK(extract("body /TOKEN\":\"([^\"]+)/i", missing) == "t-1");
}

TEST_CASE("an extraction that finds nothing says what was missing") {
  std::string missing;
  CHECK_FALSE(extract("header X-Nope", missing));
  CHECK(missing == "no X-Nope header");
  CHECK_FALSE(extract("json $.a.b", missing));
  CHECK(missing == "$.a not found");
  CHECK_FALSE(extract("json $.none", missing));
  CHECK(missing == "$.none is null");
  CHECK_FALSE(extract("body /nothing (here)/", missing));
  CHECK(missing == "the body does not match /nothing (here)/");
}

TEST_CASE("malformed extractions are refused with a reason") {
  std::string error;
  CHECK_FALSE(Extraction::parse("v", "jsn $.a", error));
  CHECK(error == "unknown source \"jsn\": extract from status, header NAME, body /REGEX/ or json PATH");
  CHECK_FALSE(Extraction::parse("v", "status 200", error));
  CHECK(error == "status takes no argument");
  CHECK_FALSE(Extraction::parse("v", "header", error));
  CHECK_FALSE(Extraction::parse("v", "body /(/", error));
  CHECK_FALSE(Extraction::parse("v", "body /a/ b", error));
  CHECK(error == "unexpected \" b\" after the regex");
  CHECK_FALSE(Extraction::parse("v", "json token", error));
  CHECK_FALSE(Extraction::parse("bad-name", "status", error));
  CHECK_FALSE(Extraction::parse("uuid", "status", error));
  CHECK(error == "\"uuid\" is a built-in variable and cannot be extracted into");
}
