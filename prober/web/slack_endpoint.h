#pragma once
// POST /slack/command (README, "Paging from Slack"): signed, fresh, not replayed, strictly
// parsed, and from an allowed user in an allowed channel; only then is anyone paged, through
// the alerter's outbox like any alert. Every request is logged and recorded in the history.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "alerting/alerter.h"
#include "checks/check_spec.h"
#include "history/history.h"
#include "prober/web/router.h"
#include "prober/web/slack_command.h"

namespace prober {

class SlackCommandEndpoint final : public Endpoint {
 public:
  SlackCommandEndpoint(Alerter& alerter, HistoryWriter& history,
                       std::function<std::chrono::system_clock::time_point()> wallNow)
      : alerter_(alerter), history_(history), wallNow_(std::move(wallNow)) {}

  // From the config, at start and on each reload. The replay cache is kept while the signing
  // secret stays.
  void configure(const SlackCommandSpec& settings);
  // Without [slack_command] the path does not exist.
  bool enabled() const { return verifier_ != nullptr; }

  void serve(const ServerRequest& request, Responder respond) override;

 private:
  ServerResponse answer(const ServerRequest& request);

  Alerter& alerter_;
  HistoryWriter& history_;
  std::function<std::chrono::system_clock::time_point()> wallNow_;
  SlackCommandSpec settings_;
  std::unique_ptr<SlackVerifier> verifier_;  // while [slack_command] is configured
};

}  // namespace prober
