#include "alerting/slash_command.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/json/value.hpp>
#include <cctype>
#include <charconv>
#include <vector>

#include "alerting/holds/silence.h"
#include "checks/json_text.h"
#include "checks/text.h"

namespace prober {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

}  // namespace

std::string slackSignature(std::string_view signingSecret, std::string_view timestamp,
                           std::string_view body) {
  std::string base = "v0:";
  base.append(timestamp).append(":").append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), signingSecret.data(), static_cast<int>(signingSecret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "v0=";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string_view describe(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::Valid: return "valid";
    case SignatureCheck::Missing: return "the request is not signed";
    case SignatureCheck::Malformed: return "the signature or timestamp is malformed";
    case SignatureCheck::Stale: return "the timestamp is more than 5 minutes from now";
    case SignatureCheck::Mismatch: return "the signature does not match";
    case SignatureCheck::Replayed: return "the request was already received (a replay)";
  }
  return "invalid";
}

SignatureCheck SlackVerifier::verify(std::string_view timestamp, std::string_view signature,
                                     std::string_view body, std::int64_t nowSeconds) {
  if (timestamp.empty() || signature.empty()) {
    return SignatureCheck::Missing;
  }
  std::int64_t at = 0;
  const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), at);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size() || timestamp.size() > 12 ||
      signature.size() != 3 + 64 || signature.substr(0, 3) != "v0=") {
    return SignatureCheck::Malformed;
  }
  if (at < nowSeconds - kWindowSeconds || at > nowSeconds + kWindowSeconds) {
    return SignatureCheck::Stale;
  }
  const std::string expected = slackSignature(secret_, timestamp, body);
  if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
    return SignatureCheck::Mismatch;
  }
  // Forget what has aged out of the window: it would be refused as stale anyway.
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = it->second < nowSeconds - kWindowSeconds ? seen_.erase(it) : std::next(it);
  }
  if (!seen_.emplace(std::string(signature), at).second) {
    return SignatureCheck::Replayed;
  }
  return SignatureCheck::Valid;
}

std::optional<SlashCommand> slashCommandFromForm(const std::map<std::string, std::string>& form,
                                                 std::string& error) {
  const auto field = [&](const char* name) -> const std::string* {
    auto it = form.find(name);
    return it == form.end() ? nullptr : &it->second;
  };
  for (const char* required : {"team_id", "channel_id", "user_id", "command"}) {
    if (field(required) == nullptr || field(required)->empty()) {
      error = std::string("the form has no ") + required;
      return std::nullopt;
    }
  }
  const auto text = [&](const char* name) {
    const std::string* value = field(name);
    return value == nullptr ? std::string() : *value;
  };
  return SlashCommand{text("team_id"),   text("channel_id"), text("channel_name"), text("user_id"),
                      text("user_name"), text("command"),    text("text")};
}

SlashDecision decide(const SlackCommandSpec& settings, const SlashCommand& command) {
  using Kind = SlashDecision::Kind;
  if (!settings.allowedTeams.empty() && !listed(settings.allowedTeams, command.teamId)) {
    return {Kind::Refuse, "this Slack workspace is not allowed to page on-call"};
  }
  if (!listed(settings.allowedChannels, command.channelId)) {
    return {Kind::Refuse, "this channel is not allowed to page on-call; use an incident channel"};
  }
  if (!listed(settings.allowedUsers, command.userId)) {
    return {Kind::Refuse, "you are not on the list of people allowed to page on-call"};
  }
  const bool blank = std::all_of(command.text.begin(), command.text.end(),
                                 [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
  if (blank) {
    return {Kind::Usage, ""};
  }
  return {Kind::Page, ""};
}

std::optional<MuteCommand> parseMuteCommand(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t at = 0;
  // The first three words, then the rest as it was written (the reason).
  while (words.size() < 3) {
    at = text.find_first_not_of(" \t\n", at);
    if (at == std::string_view::npos) {
      break;
    }
    const std::size_t end = std::min(text.find_first_of(" \t\n", at), text.size());
    words.push_back(text.substr(at, end - at));
    at = end;
  }
  const auto rest = [&] {
    const std::size_t start = text.find_first_not_of(" \t\n", std::min(at, text.size()));
    return start == std::string_view::npos ? std::string() : std::string(text.substr(start));
  };
  const auto nameLike = [](std::string_view word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
             std::string_view("_.:-*?[]").find(c) != std::string_view::npos;
    });
  };
  if (words.size() == 2 && words[0] == "unmute") {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), id);
    if (ec == std::errc() && end == words[1].data() + words[1].size() && id > 0) {
      MuteCommand command;
      command.kind = MuteCommand::Kind::Unmute;
      command.id = id;
      return command;
    }
  }
  if (words.size() == 3 && words[0] == "mute" && nameLike(words[1])) {
    const auto duration = parseDuration(words[2]);
    if (duration && duration->count() > 0) {
      MuteCommand command;
      command.checks = std::string(words[1]);
      command.duration = *duration;
      command.reason = rest();
      if (*duration > kMaxSilence) {  // still a mute, refused: never paged as words
        command.problem = kSilenceDurationRule;
      }
      return command;
    }
  }
  // Meant as a mute that does not parse (a duration it cannot read, `unmute` of something that
  // is no ID): refused with the usage, never paged as words. A sentence that merely starts with
  // "mute" ("mute button broken") still pages.
  // A lone "mute" or "unmute" is a command missing its arguments, not words to page with.
  const bool durationLike = (words.size() == 1 && words[0] == "mute") ||
                            (words.size() == 3 && words[0] == "mute" &&
                             std::isdigit(static_cast<unsigned char>(words[2].front())) != 0);
  const bool unmuteLike = (words.size() == 1 && words[0] == "unmute") ||
                          (words.size() == 2 && words[0] == "unmute" && rest().empty());
  if (durationLike || unmuteLike) {
    MuteCommand command;
    command.kind = durationLike ? MuteCommand::Kind::Mute : MuteCommand::Kind::Unmute;
    command.problem = durationLike ? "mute takes NAME DURATION [why], the duration from 1s to 90d"
                                   : "unmute takes the ID of a silence";
    return command;
  }
  return std::nullopt;
}

std::string slackEscape(std::string_view text) {
  return escapeCharacters(text, {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}});
}

std::string slackReply(bool inChannel, std::string_view text) {
  return toJsonText(boost::json::object{{"response_type", inChannel ? "in_channel" : "ephemeral"},
                                        {"text", text}}) +
         "\n";
}

std::optional<StatusCommand> parseStatusCommand(std::string_view text) {
  const auto nextWord = [&](std::string_view& rest) {
    const std::size_t start = rest.find_first_not_of(" \t\n");
    if (start == std::string_view::npos) {
      rest = {};
      return std::string_view();
    }
    rest.remove_prefix(start);
    const std::size_t end = std::min(rest.find_first_of(" \t\n"), rest.size());
    const std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end);
    return word;
  };
  const auto trimmed = [](std::string_view rest) {
    const std::size_t start = rest.find_first_not_of(" \t\n");
    const std::size_t end = rest.find_last_not_of(" \t\n");
    return start == std::string_view::npos ? std::string()
                                           : std::string(rest.substr(start, end - start + 1));
  };
  std::string_view rest = text;
  if (nextWord(rest) != "status") {
    return std::nullopt;
  }
  StatusCommand command;
  std::string_view afterLevel = rest;
  const std::string_view second = nextWord(afterLevel);
  if (second == "clear" && trimmed(afterLevel).empty()) {
    command.clear = true;
    return command;
  }
  if (const auto level = parseLevel(second); level && !trimmed(afterLevel).empty()) {
    command.level = *level;
    rest = afterLevel;
  }
  command.text = trimmed(rest);
  if (command.text.empty()) {
    return std::nullopt;
  }
  return command;
}

}  // namespace prober
