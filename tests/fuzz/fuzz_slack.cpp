// Fuzzes what POST /slack/command reads: the signature check (first line: timestamp, second:
// signature, the rest the body), the strict form parser, the command's fields, the decision,
// the mute/unmute and status parsers and the reply built from the requester's text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "alerting/holds/silence.h"
#include "alerting/slash_command.h"
#include "prober/web/server/form.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\n');
  const std::string_view timestamp = input.substr(0, first);
  const std::string_view rest =
      first == std::string_view::npos ? std::string_view() : input.substr(first + 1);
  const auto second = rest.find('\n');
  const std::string_view signature = rest.substr(0, second);
  const std::string_view body =
      second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);

  prober::SlackVerifier verifier("fuzz-signing-secret");
  (void)verifier.verify(timestamp, signature, body, 1'800'000'000);
  // A correctly signed body reaches the rest of the checks, replay included.
  const std::string signed_ = prober::slackSignature("fuzz-signing-secret", "1800000000", body);
  (void)verifier.verify("1800000000", signed_, body, 1'800'000'000);
  (void)verifier.verify("1800000000", signed_, body, 1'800'000'000);

  std::string error;
  const auto form = prober::parseForm(body, error, prober::kSlackBodyLimit);
  if (!form) {
    return 0;
  }
  const auto command = prober::slashCommandFromForm(*form, error);
  if (!command) {
    return 0;
  }
  prober::SlackCommandSpec settings;
  settings.enabled = true;
  settings.allowedChannels = {"C0123456"};
  settings.allowedUsers = {"U0ABCDEF"};
  const prober::SlashDecision decision = prober::decide(settings, *command);
  (void)prober::slackReply(decision.kind == prober::SlashDecision::Kind::Page,
                           prober::slackEscape(command->text));
  if (const auto mute = prober::parseMuteCommand(command->text); mute && mute->problem.empty()) {
    // What an accepted mute must hold: a name or glob without spaces, a positive duration no
    // longer than the longest silence, or a positive id.
    if (mute->kind == prober::MuteCommand::Kind::Mute && mute->duration > prober::kMaxSilence) {
      __builtin_trap();
    }
    if (mute->kind == prober::MuteCommand::Kind::Mute &&
        (mute->checks.empty() || mute->checks.find(' ') != std::string::npos ||
         mute->duration.count() <= 0)) {
      __builtin_trap();
    }
    if (mute->kind == prober::MuteCommand::Kind::Unmute && mute->id <= 0) {
      __builtin_trap();
    }
  }
  if (const auto status = prober::parseStatusCommand(command->text)) {
    // A notice has text, trimmed; clearing has none.
    if (status->clear != status->text.empty() ||
        (!status->text.empty() && (status->text.front() == ' ' || status->text.back() == ' '))) {
      __builtin_trap();
    }
  }
  return 0;
}
