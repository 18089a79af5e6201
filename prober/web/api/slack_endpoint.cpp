#include "prober/web/api/slack_endpoint.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alerting/alert_event.h"
#include "checks/duration.h"
#include "prober/web/server/form.h"

namespace prober {

void SlackCommandEndpoint::configure(const SlackCommandSpec& settings) {
  if (!settings.enabled) {
    verifier_.reset();
  } else if (!verifier_ || settings_.signingSecret != settings.signingSecret) {
    verifier_ = std::make_unique<SlackVerifier>(settings.signingSecret);
  }
  settings_ = settings;
}

namespace {

constexpr std::int64_t kCountMinuteMs = 60'000;
// Distinct reasons counted apart in a minute; past these, "other reasons".
constexpr std::size_t kCountedReasons = 8;

}  // namespace

SlackCommandEndpoint::~SlackCommandEndpoint() {
  recordCounted();  // the history outlives the endpoint: a stop does not lose the count
}

void SlackCommandEndpoint::recordRefusal(const HistoryEvent& record) {
  if (record.atMs >= minuteStartMs_ + kCountMinuteMs || record.atMs < minuteStartMs_) {
    recordCounted();
    minuteStartMs_ = record.atMs;
    recordedInMinute_ = 0;
  }
  if (recordedInMinute_ < kRecordedRefusals) {
    ++recordedInMinute_;
    spdlog::warn("slack command refused: {}{}", record.outcome,
                 record.userId.empty()
                     ? std::string()
                     : fmt::format(" (user {} in channel {}, team {})", record.userId,
                                   record.channelId, record.teamId));
    history_.add(record);
    return;
  }
  if (countedTotal_ == 0) {
    const auto left = std::chrono::milliseconds(minuteStartMs_ + kCountMinuteMs - record.atMs);
    countTimer_->armAt(clock_.now() + left, [this] { recordCounted(); });
  }
  ++countedTotal_;
  const bool known = counted_.count(record.outcome) != 0;
  ++counted_[known || counted_.size() < kCountedReasons ? record.outcome : "other reasons"];
}

void SlackCommandEndpoint::recordCounted() {
  if (countedTotal_ == 0) {
    return;
  }
  countTimer_->cancel();
  std::string reasons;
  for (const auto& [why, count] : counted_) {
    reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : "; ", why, count);
  }
  HistoryEvent record;
  record.atMs = toMillis(wallNow_());
  record.type = HistoryEvent::Type::SlashCommand;
  record.action = "refused";
  record.outcome = fmt::format(
      "{} more requests refused in the minute from {}, counted rather than recorded one by one "
      "({})",
      countedTotal_,
      rfc3339Utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(minuteStartMs_))),
      reasons);
  spdlog::warn("slack command: {}", record.outcome);
  history_.add(record);
  counted_.clear();
  countedTotal_ = 0;
}

void SlackCommandEndpoint::serve(const ServerRequest& request, Responder respond) {
  if (!verifier_) {  // the router offers the path only while enabled
    return respond({404, "text/plain; charset=utf-8", "not found\n", ""});
  }
  respond(answer(request));
}

ServerResponse SlackCommandEndpoint::answer(const ServerRequest& request) {
  const auto reply = [](int status, bool inChannel, std::string_view text) {
    return ServerResponse{status, "application/json", slackReply(inChannel, text), ""};
  };
  const auto now = wallNow_();
  HistoryEvent record;
  record.atMs = toMillis(now);
  record.type = HistoryEvent::Type::SlashCommand;
  record.action = "refused";
  const auto refuse = [&](int status, const std::string& why) {
    record.outcome = why;
    recordRefusal(record);
    return reply(status, false, "Refused: " + why + ". Nobody was paged.");
  };
  std::string formError;
  auto form = parseForm(request.body, formError, kSlackBodyLimit);
  if (form && form->size() <= 2 && form->count("ssl_check") == 1 && form->at("ssl_check") == "1") {
    return {200, "text/plain; charset=utf-8", "", ""};  // Slack checking our certificate
  }
  const SignatureCheck signature =
      verifier_->verify(request.header("x-slack-request-timestamp"),
                        request.header("x-slack-signature"), request.body, record.atMs / 1000);
  if (signature != SignatureCheck::Valid) {
    return refuse(401, std::string(describe(signature)));
  }
  if (!form) {
    return refuse(400, "the form body is malformed: " + formError);
  }
  auto command = slashCommandFromForm(*form, formError);
  if (!command) {
    return refuse(400, formError);
  }
  record.teamId = command->teamId;
  record.channelId = command->channelId;
  record.channelName = command->channelName;
  record.userId = command->userId;
  record.userName = command->userName;
  record.detail = command->text;
  const SlashDecision decision = decide(settings_, *command);
  if (decision.kind == SlashDecision::Kind::Refuse) {
    return refuse(200, decision.reason);
  }
  if (decision.kind == SlashDecision::Kind::Usage) {
    record.action = "usage";
    history_.add(record);
    return reply(200, false,
                 fmt::format("Usage: {0} WHAT IS WRONG pages on-call through {1}; the channel "
                             "sees who paged. Also: {0} mute NAME DURATION [why], {0} unmute "
                             "ID, {0} status TEXT (the status page's notice), {0} status clear.",
                             command->command, settings_.notifier));
  }
  if (const auto muting = parseMuteCommand(command->text)) {
    const std::string text = mute(*muting, *command, record);
    history_.add(record);
    return reply(200, record.action == "allowed", text);
  }
  if (const auto status = parseStatusCommand(command->text)) {
    const std::string text = postStatus(*status, *command, record);
    history_.add(record);
    return reply(200, true, text);
  }
  const AlertEvent event =
      slashCommandEventFor(command->text, command->teamId, command->channelId, command->channelName,
                           command->userId, command->userName, now);
  spdlog::warn("slack command: user {} ({}) in channel {} ({}) pages on-call through {}: {}",
               command->userId, command->userName, command->channelId, command->channelName,
               settings_.notifier, command->text);
  alerter_.page(event, settings_.notifier);
  record.action = "allowed";
  record.check = alertKey(event.check, AlertKind::SlashCommand);
  record.notifier = settings_.notifier;
  history_.add(record);
  return reply(200, true,
               fmt::format("<@{}> paged on-call through {}: {}", command->userId,
                           settings_.notifier, slackEscape(command->text)));
}

std::string SlackCommandEndpoint::mute(const MuteCommand& command, const SlashCommand& from,
                                       HistoryEvent& record) {
  const std::string who = from.userName.empty() ? from.userId : from.userName;
  if (!command.problem.empty()) {
    record.action = "refused";
    record.outcome = command.problem;
    return fmt::format("Nothing was {} and nobody was paged: the {}.",
                       command.kind == MuteCommand::Kind::Unmute ? "unmuted" : "muted",
                       command.problem);
  }
  std::string problem;
  if (command.kind == MuteCommand::Kind::Unmute) {
    switch (holds_.remove(command.id, problem)) {
      case PageHolds::Removal::NotFound:
        record.action = "refused";
        record.outcome = "no such silence";
        return fmt::format("There is no silence {} in force. Nothing changed.", command.id);
      case PageHolds::Removal::Failed:
        spdlog::error("{}", problem);
        record.action = "refused";
        record.outcome = problem;
        return "The silence could not be ended: " + slackEscape(problem);
      case PageHolds::Removal::Removed: break;
    }
    spdlog::warn("slack command: user {} ({}) ended silence {}", from.userId, from.userName,
                 command.id);
    record.action = "allowed";
    record.outcome = fmt::format("unmuted: silence {} ended", command.id);
    holdsChanged_();
    return fmt::format("<@{}> ended silence {}: pages it held go out now.", from.userId,
                       command.id);
  }
  if (checksMatching_(command.checks) == 0) {
    record.action = "refused";
    record.outcome = "no check matches " + command.checks;
    return fmt::format("No check is named {}. Nothing was muted and nobody was paged.",
                       slackEscape(command.checks));
  }
  Silence silence;
  silence.checks = {command.checks};
  silence.startsAt = std::chrono::time_point_cast<std::chrono::milliseconds>(wallNow_());
  silence.endsAt = silence.startsAt + command.duration;
  silence.comment = command.reason;
  silence.createdBy = fmt::format("{} ({}) via Slack", who, from.userId);
  auto added = holds_.add(std::move(silence), problem);
  if (!added) {
    spdlog::error("{}", problem);
    record.action = "refused";
    record.outcome = problem;
    return "The silence could not be stored: " + slackEscape(problem);
  }
  spdlog::warn("slack command: user {} ({}) muted {} for {} (silence {}): {}", from.userId,
               from.userName, command.checks, formatDuration(command.duration), added->id,
               command.reason);
  record.action = "allowed";
  record.outcome = fmt::format("muted: silence {}", added->id);
  holdsChanged_();
  return fmt::format("<@{}> muted {} for {} (silence {}, until {}){}. `unmute {}` ends it.",
                     from.userId, slackEscape(command.checks), formatDuration(command.duration),
                     added->id, rfc3339Utc(added->endsAt),
                     command.reason.empty() ? "" : ": " + slackEscape(command.reason), added->id);
}

std::string SlackCommandEndpoint::postStatus(const StatusCommand& command, const SlashCommand& from,
                                             HistoryEvent& record) {
  record.action = "allowed";  // no notifier: nobody was paged
  if (command.clear) {
    setStatus_(std::nullopt);
    spdlog::warn("slack command: user {} ({}) cleared the status page notice", from.userId,
                 from.userName);
    record.outcome = "cleared the status page notice";
    return fmt::format("<@{}> cleared the status page notice. Nobody was paged.", from.userId);
  }
  setStatus_(Announcement{command.text, command.level, std::nullopt,
                          from.userName.empty() ? from.userId : from.userName, record.atMs});
  spdlog::warn("slack command: user {} ({}) set the status page notice ({}): {}", from.userId,
               from.userName, levelName(command.level), command.text);
  record.outcome = fmt::format("set the status page notice ({})", levelName(command.level));
  return fmt::format(
      "<@{}> set the status page notice ({}): {}. Nobody was paged: to page on-call, write what "
      "is wrong without starting with `status`; `status clear` removes the notice.",
      from.userId, levelName(command.level), slackEscape(command.text));
}

}  // namespace prober
