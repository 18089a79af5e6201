// Secrets in failure messages: replaced as sent, percent-encoded, JSON-escaped, and as Basic
// credentials travel.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "checks/config/config_loader.h"
#include "checks/redaction.h"

TEST_CASE("base64 is RFC 4648 with padding") {
  CHECK(prober::base64("") == "");
  CHECK(prober::base64("f") == "Zg==");
  CHECK(prober::base64("fo") == "Zm8=");
  CHECK(prober::base64("foo") == "Zm9v");
  CHECK(prober::base64("synthetic:s3cr et") == "c3ludGhldGljOnMzY3IgZXQ=");
}

TEST_CASE("every form of a secret is replaced by its name") {
  const std::vector<prober::Secret> secrets = {{"p@ss \"word\"", "${PASSWORD}"},
                                               {"tok", "${TOKEN}"}};
  CHECK(prober::redactSecrets(R"(got "p@ss \"word\"" and p%40ss%20%22word%22 and p@ss "word")",
                              secrets) == R"(got "${PASSWORD}" and ${PASSWORD} and ${PASSWORD})");
  CHECK(prober::redactSecrets("tok tok", secrets) == "${TOKEN} ${TOKEN}");
  CHECK(prober::redactSecrets("nothing here", secrets) == "nothing here");
}

namespace {
// JSON's escaping of the two characters that matter here, written out as the oracle.
std::string escapedOnce(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}
}  // namespace

TEST_CASE("a secret JSON-escaped up to three times over is replaced") {
  // An echo's answer holds the JSON body it received as a string; a message quotes it again.
  const std::string secret = R"(a"b\c)";
  const std::vector<prober::Secret> secrets = {{secret, "${S}"}};
  std::string form = secret;
  for (int level = 0; level <= 3; ++level) {
    CAPTURE(level);
    CAPTURE(form);
    CHECK(prober::redactSecrets("<" + form + ">", secrets) == "<${S}>");
    form = escapedOnce(form);
  }
}

TEST_CASE("a check records the ${VAR} values it sends, longest first, and its Basic credentials") {
  const auto path = std::filesystem::temp_directory_path() / "prober-redaction-test.toml";
  std::ofstream(path) << R"([[check]]
name = "api"
url = "http://127.0.0.1/?k=${SHORT}"
headers = { X-Key = "${LONGER}" }
basic_auth = { username = "u", password = "${SHORT}" }
)";
  const prober::LoadResult loaded =
      prober::loadConfig(path.string(), [](const std::string& name) -> std::optional<std::string> {
        return name == "SHORT" ? "abc" : "abcdef";
      });
  std::filesystem::remove(path);
  REQUIRE(loaded.errors.empty());
  const prober::Config& config = *loaded.config;
  const auto& secrets = config.checks.at(0)->secrets;
  REQUIRE(secrets.size() == 4);
  CHECK(secrets[0].value == "dTphYmM=");  // base64("u:abc")
  CHECK(secrets[0].shown == "<basic_auth>");
  CHECK(secrets[1].value == "abcdef");
  CHECK(secrets[1].shown == "${LONGER}");
  CHECK(prober::redactSecrets("abcdef/abc", secrets) == "${LONGER}/${SHORT}");
}

TEST_CASE("credentials written into URLs are found and redacted wherever a URL is quoted") {
  CHECK(prober::urlCredential("http://user:pass@am:9093") == "pass");
  CHECK(prober::urlCredential("https://token@api.example.com/v1") == "token");
  CHECK_FALSE(prober::urlCredential("http://am:9093/api/v2/alerts"));
  CHECK_FALSE(prober::urlCredential("http://user:@am:9093"));
  CHECK_FALSE(prober::urlCredential("http://am:9093/path?next=a@b"));  // '@' after the host
  struct Row {
    const char* text;
    const char* shown;
  };
  const Row rows[] = {
      {"http://user:pass@am:9093", "http://user:***@am:9093"},
      {"https://token@api.example.com/v1", "https://***@api.example.com/v1"},
      {"http://am:9093: connection refused; http://a:b@am2:9093/x: HTTP 500",
       "http://am:9093: connection refused; http://a:***@am2:9093/x: HTTP 500"},
      {"posted to \"http://u:p@h/\" twice", "posted to \"http://u:***@h/\" twice"},
      {"http://user:***@am:9093", "http://user:***@am:9093"},
      {"mailto:someone@example.com and http://h/?q=a@b",
       "mailto:someone@example.com and "
       "http://h/?q=a@b"},
      {"no url here", "no url here"},
  };
  for (const Row& row : rows) {
    CHECK(prober::redactUrlCredentials(row.text) == row.shown);
  }
}
