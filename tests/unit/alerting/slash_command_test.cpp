// Paging from Slack: signature vectors (valid, wrong secret, stale, future, tampered, replayed),
// the fields a decision needs, and allow-list decisions by ID.
#include <doctest/doctest.h>

#include <map>
#include <optional>

#include "alerting/holds/silence.h"
#include "alerting/slash_command.h"

using prober::SignatureCheck;
using prober::SlackVerifier;
using prober::SlashDecision;

namespace {

// Slack's published example request (api.slack.com, "Verifying requests from Slack").
const std::string kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const std::string kTimestamp = "1531420618";
const std::string kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
const std::string kSignature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
constexpr std::int64_t kSent = 1531420618;

prober::SlackCommandSpec allowList() {
  prober::SlackCommandSpec spec;
  spec.enabled = true;
  spec.signingSecret = kSecret;
  spec.notifier = "pagerduty";
  spec.allowedChannels = {"C0INCIDENT"};
  spec.allowedUsers = {"U0ALICE"};
  return spec;
}

prober::SlashCommand command(std::string channel, std::string user, std::string text) {
  return {"T0TEAM", std::move(channel), "incidents", std::move(user), "alice",
          "/page",  std::move(text)};
}

}  // namespace

TEST_CASE("the signature is Slack's: HMAC-SHA256 of v0:TIMESTAMP:BODY") {
  CHECK(prober::slackSignature(kSecret, kTimestamp, kBody) == kSignature);
}

TEST_CASE("verification: valid, wrong secret, tampered, stale, future, malformed, missing") {
  SlackVerifier verifier(kSecret);
  CHECK(verifier.verify(kTimestamp, kSignature, kBody, kSent + 10) == SignatureCheck::Valid);

  SlackVerifier wrongSecret("not-the-secret");
  CHECK(wrongSecret.verify(kTimestamp, kSignature, kBody, kSent) == SignatureCheck::Mismatch);

  SlackVerifier fresh(kSecret);
  std::string tampered = kBody;
  tampered.replace(tampered.find("text="), 5, "text=x");
  CHECK(fresh.verify(kTimestamp, kSignature, tampered, kSent) == SignatureCheck::Mismatch);
  CHECK(fresh.verify("1531420619", kSignature, kBody, kSent) == SignatureCheck::Mismatch);

  CHECK(fresh.verify(kTimestamp, kSignature, kBody, kSent + 301) == SignatureCheck::Stale);
  CHECK(fresh.verify(kTimestamp, kSignature, kBody, kSent - 301) == SignatureCheck::Stale);
  CHECK(fresh.verify(kTimestamp, kSignature, kBody, kSent + 300) == SignatureCheck::Valid);

  SlackVerifier strict(kSecret);
  CHECK(strict.verify("", kSignature, kBody, kSent) == SignatureCheck::Missing);
  CHECK(strict.verify(kTimestamp, "", kBody, kSent) == SignatureCheck::Missing);
  CHECK(strict.verify("15314206l8", kSignature, kBody, kSent) == SignatureCheck::Malformed);
  CHECK(strict.verify(kTimestamp, "v1=" + kSignature.substr(3), kBody, kSent) ==
        SignatureCheck::Malformed);
  CHECK(strict.verify(kTimestamp, kSignature.substr(0, 40), kBody, kSent) ==
        SignatureCheck::Malformed);
  std::string upper = kSignature;
  upper[10] = 'A';  // one digit changed
  CHECK(strict.verify(kTimestamp, upper, kBody, kSent) == SignatureCheck::Mismatch);
  CHECK(strict.remembered() == 0);  // only valid requests are remembered
}

TEST_CASE("a request seen before is refused as a replay, within the window") {
  SlackVerifier verifier(kSecret);
  CHECK(verifier.verify(kTimestamp, kSignature, kBody, kSent) == SignatureCheck::Valid);
  CHECK(verifier.verify(kTimestamp, kSignature, kBody, kSent + 5) == SignatureCheck::Replayed);
  CHECK(verifier.verify(kTimestamp, kSignature, kBody, kSent + 299) == SignatureCheck::Replayed);
  // Once out of the window it is stale, and the cache forgets it.
  CHECK(verifier.verify(kTimestamp, kSignature, kBody, kSent + 400) == SignatureCheck::Stale);
  const std::string later = std::to_string(kSent + 400);
  CHECK(verifier.verify(later, prober::slackSignature(kSecret, later, kBody), kBody, kSent + 400) ==
        SignatureCheck::Valid);
  CHECK(verifier.remembered() == 1);
}

TEST_CASE("the fields decisions need must be there") {
  std::string error;
  // Slack's example request, as the server's form reader hands it over.
  auto form = std::optional<std::map<std::string, std::string>>(
      std::map<std::string, std::string>{{"token", "xyzz0WbapA4vBCDEFasx0q6G"},
                                         {"team_id", "T1DC2JH3J"},
                                         {"team_domain", "testteamnow"},
                                         {"channel_id", "G8PSS9T3V"},
                                         {"channel_name", "foobar"},
                                         {"user_id", "U2CERLKJA"},
                                         {"user_name", "roadrunner"},
                                         {"command", "/webhook-collect"},
                                         {"text", ""}});
  auto parsed = prober::slashCommandFromForm(*form, error);
  REQUIRE(parsed);
  CHECK(parsed->teamId == "T1DC2JH3J");
  CHECK(parsed->channelId == "G8PSS9T3V");
  CHECK(parsed->userId == "U2CERLKJA");
  CHECK(parsed->userName == "roadrunner");
  form->erase("user_id");
  CHECK_FALSE(prober::slashCommandFromForm(*form, error));
  CHECK(error == "the form has no user_id");
}

TEST_CASE("only allowed users in allowed channels page; IDs decide, never names") {
  const auto spec = allowList();
  using Kind = SlashDecision::Kind;
  CHECK(prober::decide(spec, command("C0INCIDENT", "U0ALICE", "db is down")).kind == Kind::Page);
  const auto channel = prober::decide(spec, command("C0RANDOM", "U0ALICE", "db is down"));
  CHECK(channel.kind == Kind::Refuse);
  CHECK(channel.reason.find("channel") != std::string::npos);
  const auto user = prober::decide(spec, command("C0INCIDENT", "U0MALLORY", "db is down"));
  CHECK(user.kind == Kind::Refuse);
  CHECK(user.reason.find("allowed") != std::string::npos);
  // A name that matches an allowed ID is not an ID.
  auto named = command("C0INCIDENT", "U0MALLORY", "db is down");
  named.userName = "U0ALICE";
  named.channelName = "C0INCIDENT";
  CHECK(prober::decide(spec, named).kind == Kind::Refuse);
  CHECK(prober::decide(spec, command("C0INCIDENT", "U0ALICE", "  \t")).kind == Kind::Usage);
  CHECK(prober::decide(spec, command("C0INCIDENT", "U0ALICE", "")).kind == Kind::Usage);
  // Empty text from someone not allowed is still a refusal, not help.
  CHECK(prober::decide(spec, command("C0RANDOM", "U0ALICE", "")).kind == Kind::Refuse);

  auto teams = spec;
  teams.allowedTeams = {"T0OTHER"};
  CHECK(prober::decide(teams, command("C0INCIDENT", "U0ALICE", "x")).kind == Kind::Refuse);
  teams.allowedTeams = {"T0TEAM"};
  CHECK(prober::decide(teams, command("C0INCIDENT", "U0ALICE", "x")).kind == Kind::Page);
}

TEST_CASE("text echoed to Slack cannot become a mention or a link") {
  CHECK(prober::slackEscape("db <!channel> & <https://x|y>") ==
        "db &lt;!channel&gt; &amp; &lt;https://x|y&gt;");
  CHECK(prober::slackEscape("plain words") == "plain words");
}

TEST_CASE("replies are Slack JSON, in the channel or only for the requester") {
  CHECK(prober::slackReply(true, "paged \"on-call\"") ==
        "{\"response_type\":\"in_channel\",\"text\":\"paged \\\"on-call\\\"\"}\n");
  CHECK(prober::slackReply(false, "no") == "{\"response_type\":\"ephemeral\",\"text\":\"no\"}\n");
}

TEST_CASE("status TEXT sets the public notice; anything else is not a status command") {
  using prober::AnnouncementSpec;
  auto command = prober::parseStatusCommand("status Checkout is slow, we are on it");
  REQUIRE(command);
  CHECK_FALSE(command->clear);
  CHECK(command->level == AnnouncementSpec::Level::Info);
  CHECK(command->text == "Checkout is slow, we are on it");
  command = prober::parseStatusCommand("  status   outage   Checkout is down ");
  REQUIRE(command);
  CHECK(command->level == AnnouncementSpec::Level::Outage);
  CHECK(command->text == "Checkout is down");
  command = prober::parseStatusCommand("status warning");  // a one-word notice, not a level
  REQUIRE(command);
  CHECK(command->text == "warning");
  command = prober::parseStatusCommand("status clear");
  REQUIRE(command);
  CHECK(command->clear);
  CHECK(prober::parseStatusCommand("status clear the cache")->text == "clear the cache");
  CHECK_FALSE(prober::parseStatusCommand("status"));
  CHECK_FALSE(prober::parseStatusCommand("status   "));
  CHECK_FALSE(prober::parseStatusCommand("statuspage is down"));
  CHECK_FALSE(prober::parseStatusCommand("the status page is down"));
}

TEST_CASE("mute takes a duration up to the longest silence; longer is refused, never paged") {
  const auto ninety = prober::parseMuteCommand("mute api 90d planned move");
  REQUIRE(ninety.has_value());
  CHECK(ninety->problem.empty());
  CHECK(ninety->reason == "planned move");
  for (const char* text : {"mute api 91d", "mute api 3650d", "mute * 100000000d"}) {
    const auto refused = prober::parseMuteCommand(text);
    REQUIRE_MESSAGE(refused.has_value(), text);  // a mute command: not words to page with
    CHECK(refused->problem == prober::kSilenceDurationRule);
  }
  // A mute that does not parse is refused with its usage, never paged as words.
  for (const char* text : {"mute db 1w", "mute * 300000000000000000d", "unmute abc"}) {
    const auto refused = prober::parseMuteCommand(text);
    REQUIRE_MESSAGE(refused.has_value(), text);
    CHECK_FALSE(refused->problem.empty());
  }
  // An unmute of no ID is refused as an unmute (fuzzing found "unmute 1i" taken for a mute).
  for (const char* text :
       {"unmute abc", "unmute 1i", "unmute 0", "unmute -3", "unmute", " unmute "}) {
    const auto refused = prober::parseMuteCommand(text);
    REQUIRE_MESSAGE(refused.has_value(), text);
    CHECK(refused->kind == prober::MuteCommand::Kind::Unmute);
    CHECK(refused->problem == "unmute takes the ID of a silence");
  }
  const auto lone = prober::parseMuteCommand("mute");
  REQUIRE(lone.has_value());
  CHECK(lone->kind == prober::MuteCommand::Kind::Mute);
  CHECK_FALSE(lone->problem.empty());
  CHECK_FALSE(prober::parseMuteCommand("muted api is down"));  // words that page
  CHECK_FALSE(prober::parseMuteCommand("mute button broken on checkout"));
}
