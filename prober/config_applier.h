#pragma once
// How a config reaches the running pieces: at start with the alerts the store kept, and after
// each valid reload. One call per piece, in the order they depend on each other (the notifiers
// before the alerts of checks that left, the holds before the schedule); what only a restart
// changes (the listen address, the TLS files) is warned about and left as it is. The daemon
// builds the pieces; this says what a config changes in them.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "alerting/alerter.h"
#include "alerting/holds/page_holds.h"
#include "history/history.h"
#include "prober/daemon.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/probe_loop.h"
#include "prober/runtime/shard_membership.h"
#include "prober/web/api/slack_endpoint.h"
#include "prober/web/metrics/process_metrics.h"
#include "prober/web/pages/page_endpoints.h"
#include "prober/web/server/basic_auth.h"
#include "prober/web/server/request_guard.h"

namespace prober {

// The pieces a config reaches, all owned by the daemon and outliving this.
struct ConfigApplier {
  Config& config;  // the running config, replaced by each apply()
  const DaemonOptions& options;
  const Clock& clock;
  BasicAuth& auth;
  RequestGuard& guard;
  const std::unique_ptr<HttpServer>& server;  // null until the daemon has bound it
  CheckSet& checks;
  ShardMembership& membership;
  Alerter& alerter;
  HistoryWriter& history;
  StatusPages& pages;
  ProcessMetrics& metrics;
  PageHolds& pageHolds;
  SlackCommandEndpoint& slackEndpoint;
  ProbeLoop& probes;
  // Held pages asked about again and the checks' hold marks redone.
  std::function<void()> holdsChanged;

  // Replaces the running checks with `next`'s, keeping the state of unchanged ones; alerts of
  // checks that left (or no longer watch their certificate) resolve. `saved`: the store's
  // alerts, at start.
  void apply(Config next, const std::map<std::string, SavedAlert>& saved = {});
  // The shard this instance runs (--shard, else [prober] shard); nullopt: every check.
  std::optional<Shard> shard() const { return options.shard ? options.shard : config.prober.shard; }
};

}  // namespace prober
