#pragma once
// Paging on-call from Slack, safely (POST /slack/command): the request must carry Slack's
// signature over its exact body, be fresh and never seen before; its form body is parsed
// strictly; and only allowed users in allowed channels (by ID, never by name) may page.
// Everything here is pure logic on strings, so every rule is tested without a network.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "checks/check_spec.h"
#include "checks/duration.h"

namespace prober {

// "v0=" + hex HMAC-SHA256 of "v0:TIMESTAMP:BODY" keyed with the signing secret.
std::string slackSignature(std::string_view signingSecret, std::string_view timestamp,
                           std::string_view body);

enum class SignatureCheck { Valid, Missing, Malformed, Stale, Mismatch, Replayed };
std::string_view describe(SignatureCheck check);  // why a request was refused, for people

// Verifies X-Slack-Request-Timestamp and X-Slack-Signature. A valid signature is remembered
// for the freshness window, so the same request sent again is refused as a replay.
class SlackVerifier {
 public:
  static constexpr std::int64_t kWindowSeconds = 5 * 60;

  explicit SlackVerifier(std::string signingSecret) : secret_(std::move(signingSecret)) {}
  SignatureCheck verify(std::string_view timestamp, std::string_view signature,
                        std::string_view body, std::int64_t nowSeconds);
  std::size_t remembered() const { return seen_.size(); }

 private:
  std::string secret_;
  std::unordered_map<std::string, std::int64_t> seen_;  // signature -> its timestamp
};

// Largest body accepted: Slack's slash-command payloads are a few hundred bytes.
inline constexpr std::size_t kSlackBodyLimit = 8 * 1024;

struct SlashCommand {
  std::string teamId, channelId, channelName, userId, userName, command, text;
};

// The fields Slack sends; nullopt with `error` when one that decisions need is missing.
std::optional<SlashCommand> slashCommandFromForm(const std::map<std::string, std::string>& form,
                                                 std::string& error);

struct SlashDecision {
  enum class Kind { Page, Usage, Refuse };
  Kind kind = Kind::Refuse;
  std::string reason;  // Refuse: why, for the user and the log
};

// Allowed when the team (if teams are listed), the channel and the user are all on the lists.
SlashDecision decide(const SlackCommandSpec& settings, const SlashCommand& command);

// `mute NAME DURATION [reason]` (NAME a check name or a glob on names) and `unmute ID`: the
// silences a person may add or end from Slack. Only text that is exactly one of these forms
// mutes; anything else (a sentence that starts with "mute", say) still pages.
struct MuteCommand {
  enum class Kind { Mute, Unmute };
  Kind kind = Kind::Mute;
  std::string checks;   // Mute: the name or glob
  Millis duration{0};   // Mute
  std::string reason;   // Mute: the rest of the text, may be empty
  std::int64_t id = 0;  // Unmute
  // Why it cannot be done ("" when it can): a duration past the longest silence, a duration
  // or ID that does not parse. A command with a problem is refused whatever its kind.
  std::string problem;
};
std::optional<MuteCommand> parseMuteCommand(std::string_view text);

// `status TEXT` (optionally `status warning TEXT` or `status outage TEXT`; info by default) sets
// the public status page's notice; `status clear` removes it. Only text starting with the word
// "status" and something after it is one.
struct StatusCommand {
  bool clear = false;
  AnnouncementSpec::Level level = AnnouncementSpec::Level::Info;
  std::string text;
};
std::optional<StatusCommand> parseStatusCommand(std::string_view text);

// Slack's escaping of message text (&, <, >), so a requester's words echoed back cannot turn
// into mentions or links.
std::string slackEscape(std::string_view text);

// What Slack shows: JSON with response_type "in_channel" (a page, so the channel sees who paged
// whom) or "ephemeral" (only the requester sees it).
std::string slackReply(bool inChannel, std::string_view text);

}  // namespace prober
