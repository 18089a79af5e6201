// The strict reader of application/x-www-form-urlencoded bodies and query strings.
#include <doctest/doctest.h>

#include "prober/web/server/form.h"

namespace {

// A slash-command body as Slack sends one: the largest form the server reads.
const std::string kSlackExample =
    "team_id=T0TEAM&channel_id=C0INCIDENT&user_id=U0ALICE&command=%2Fwebhook-collect&text=&"
    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0TEAM%2F1%2Fabc";
constexpr std::size_t kLimit = 8 * 1024;  // parseForm's default

}  // namespace

TEST_CASE("the form body is parsed strictly") {
  std::string error;
  auto form = prober::parseForm(kSlackExample, error);
  REQUIRE_MESSAGE(form, error);
  CHECK(form->at("command") == "/webhook-collect");
  CHECK(form->at("text") == "");
  CHECK(form->at("response_url").rfind("https://hooks.slack.com/commands/", 0) == 0);
  auto spaced = prober::parseForm("text=db+is%20down+%E2%9C%8B&user_id=U1", error);
  REQUIRE(spaced);
  CHECK(spaced->at("text") == "db is down \xE2\x9C\x8B");

  const auto refused = [](std::string_view body) {
    std::string why;
    const bool parsed = prober::parseForm(body, why).has_value();
    CAPTURE(body);
    CHECK_FALSE(parsed);
    CHECK_FALSE(why.empty());
    return why;
  };
  CHECK(refused("text=%E") == "a form field has a malformed %-escape");
  CHECK(refused("text=%zz") == "a form field has a malformed %-escape");
  CHECK(refused("text") == "a form field is not NAME=VALUE");
  CHECK(refused("=x") == "a form field is not NAME=VALUE");
  CHECK(refused("a=1&&b=2") == "a form field is not NAME=VALUE");
  CHECK(refused("a=1&a=2") == "a form field is given twice");
  CHECK(refused("text=%C0%AF") == "a form field is not valid UTF-8 text");     // overlong '/'
  CHECK(refused("text=%ED%A0%80") == "a form field is not valid UTF-8 text");  // a surrogate
  CHECK(refused("text=%FF") == "a form field is not valid UTF-8 text");
  CHECK(refused("text=a%00b") == "a form field is not valid UTF-8 text");
  CHECK(refused(std::string(kLimit + 1, 'a')).find("larger than") != std::string::npos);
  CHECK(prober::parseForm("", error)->empty());
}
