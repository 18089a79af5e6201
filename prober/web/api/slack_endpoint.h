#pragma once
// POST /slack/command (README, "Paging from Slack"): signed, fresh, not replayed, strictly
// parsed, and from an allowed user in an allowed channel; only then is anyone paged, through
// the alerter's outbox like any alert. Every request is logged and recorded in the history,
// but refusals only a few a minute: past that they are counted, and the count recorded when the
// minute is over, so a flood of forged requests costs the history a line a minute and cannot
// crowd the incident it comes with out of the report's timeline.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "alerting/alerter.h"
#include "alerting/holds/page_holds.h"
#include "alerting/slash_command.h"
#include "checks/check_spec.h"
#include "checks/clock.h"
#include "history/history.h"
#include "prober/web/announcements.h"
#include "prober/web/server/router.h"

namespace prober {

class SlackCommandEndpoint final : public Endpoint {
 public:
  // `setStatus` sets (or with nullopt removes) the status page's notice from `status TEXT`.
  // `holds` takes the silences `mute` adds and `unmute` ends; `checksMatching` counts the
  // running checks a name or glob covers; `holdsChanged` runs after a silence came or went.
  SlackCommandEndpoint(Alerter& alerter, HistoryWriter& history, PageHolds& holds,
                       std::function<std::chrono::system_clock::time_point()> wallNow,
                       std::function<std::size_t(const std::string&)> checksMatching,
                       std::function<void()> holdsChanged,
                       std::function<void(std::optional<Announcement>)> setStatus,
                       const Clock& clock, std::unique_ptr<Timer> countTimer)
      : alerter_(alerter),
        history_(history),
        holds_(holds),
        wallNow_(std::move(wallNow)),
        checksMatching_(std::move(checksMatching)),
        holdsChanged_(std::move(holdsChanged)),
        setStatus_(std::move(setStatus)),
        clock_(clock),
        countTimer_(std::move(countTimer)) {}
  ~SlackCommandEndpoint() override;
  SlackCommandEndpoint(const SlackCommandEndpoint&) = delete;
  SlackCommandEndpoint& operator=(const SlackCommandEndpoint&) = delete;

  // Refusals recorded one by one in a minute; the rest of that minute's are counted.
  static constexpr int kRecordedRefusals = 20;

  // From the config, at start and on each reload. The replay cache is kept while the signing
  // secret stays.
  void configure(const SlackCommandSpec& settings);
  // Without [slack_command] the path does not exist.
  bool enabled() const { return verifier_ != nullptr; }

  void serve(const ServerRequest& request, Responder respond) override;

 private:
  ServerResponse answer(const ServerRequest& request);
  // An allowed `mute` or `unmute`: the reply's text, and what the history records.
  std::string mute(const MuteCommand& command, const SlashCommand& from, HistoryEvent& record);
  // An allowed `status TEXT` or `status clear`: the reply's text.
  std::string postStatus(const StatusCommand& command, const SlashCommand& from,
                         HistoryEvent& record);
  // Logs and records a refusal, or counts it when the minute's few are recorded already.
  void recordRefusal(const HistoryEvent& record);
  // Records (and logs) the refusals counted and not recorded, as one event.
  void recordCounted();

  Alerter& alerter_;
  HistoryWriter& history_;
  PageHolds& holds_;
  std::function<std::chrono::system_clock::time_point()> wallNow_;
  std::function<std::size_t(const std::string&)> checksMatching_;
  std::function<void()> holdsChanged_;
  std::function<void(std::optional<Announcement>)> setStatus_;
  SlackCommandSpec settings_;
  std::unique_ptr<SlackVerifier> verifier_;  // while [slack_command] is configured
  const Clock& clock_;
  std::unique_ptr<Timer> countTimer_;  // records the count at the end of its minute
  std::int64_t minuteStartMs_ = 0;     // the minute refusals are counted in
  int recordedInMinute_ = 0;
  std::map<std::string, std::size_t> counted_;  // why -> refusals not recorded one by one
  std::size_t countedTotal_ = 0;
};

}  // namespace prober
