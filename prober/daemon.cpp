// The composition root: builds the pieces from the injected services, in the order they
// depend on each other, and wires what one reports to the next. It holds no logic of its own:
// what a config changes is config_applier's, the signals are signal_watcher's, the Slack notice
// is status_notice's; stopping is each piece's stop in turn. docs/architecture.md draws the
// house.
#include "prober/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "alerting/alerter.h"
#include "alerting/holds/hold_policy.h"
#include "alerting/holds/page_holds.h"
#include "alerting/store.h"
#include "history/history.h"
#include "prober/alert_recorder.h"
#include "prober/config_applier.h"
#include "prober/engine/check_prober.h"
#include "prober/runtime/change_alerts.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/config_reloader.h"
#include "prober/runtime/hold_marker.h"
#include "prober/runtime/probe_loop.h"
#include "prober/runtime/shard_membership.h"
#include "prober/runtime/signal_watcher.h"
#include "prober/web/api/checks_endpoint.h"
#include "prober/web/api/health_endpoint.h"
#include "prober/web/api/reload_endpoint.h"
#include "prober/web/api/silences_endpoint.h"
#include "prober/web/api/slack_endpoint.h"
#include "prober/web/check_history.h"
#include "prober/web/metrics/metrics.h"
#include "prober/web/metrics/metrics_endpoint.h"
#include "prober/web/metrics/prometheus_targets.h"
#include "prober/web/pages/page_endpoints.h"
#include "prober/web/pages/status_notice.h"
#include "prober/web/server/answer_deadline.h"
#include "prober/web/server/basic_auth.h"
#include "prober/web/server/front_door.h"
#include "prober/web/server/request_guard.h"
#include "prober/web/server/router.h"

namespace prober {

namespace {

// Runs `open(error)`; what it could not open stops the daemon from starting.
template <typename Open>
auto openOrThrow(Open open) {
  std::string error;
  auto opened = open(error);
  if (!opened) {
    throw std::runtime_error(error);
  }
  return opened;
}

}  // namespace

// Members are built in order and die in reverse: what writes into another object is declared
// after it (the history outlives the alerter, the probes and the endpoints that write to it).
struct Daemon::Impl {
  Impl(Services services, DaemonOptions options, Config config);
  // The history thread's queued reads capture the endpoints and caches declared after the
  // history, which go first: they are dropped before anything is destroyed.
  ~Impl() { history->abandonJobs(); }

  std::int64_t nowMs() const { return toMillis(services.clock.wallNow()); }
  std::string stateDir() const { return options.stateDir.value_or(config.prober.stateDir); }
  std::string listen() const { return options.listen.value_or(config.prober.listen); }
  // A silence came or went, or the config changed: held pages are asked about again, and each
  // check's marks (silenced, suppressed) redone.
  void holdsChanged() {
    alerter.releaseHeld();
    holdMarker.markAll();
  }
  void stop();

  Services services;
  DaemonOptions options;
  Config config;
  ProcessMetrics metrics;
  HistoryFiles historyFiles = openOrThrow([this](std::string& error) {
    return HistoryFiles::open(stateDir(), config.prober.historyRetention, error, services.clock);
  });
  HistoryWriter* history = historyFiles.writer.get();
  std::unique_ptr<Store> store =
      openOrThrow([this](std::string& error) { return Store::open(stateDir(), error); });
  PageHolds pageHolds{*store};
  AlertRecorder alertRecorder{*history, metrics, [this] { return nowMs(); }};
  Alerter alerter{*store,
                  services.transport,
                  alertRecorder,
                  services.clock,
                  services.newTimer,
                  Alerter::Hooks{services.random, [this](const CheckSpec& spec, AlertKind kind) {
                                   return holdPolicy.holdFor(spec, kind);
                                 }}};
  CheckSet checks;
  HoldPolicy holdPolicy{pageHolds, services.clock, [this](const std::string& name) {
                          const auto state = checks.find(name);
                          return state && state->alert().firing();
                        }};
  HoldMarker holdMarker{checks, holdPolicy, services.clock};
  ShardMembership membership{*store, alerter};
  CheckProbers probers{services.engine, services.clock};
  ProbeLoop probes{
      services.clock,
      services.newTimer,
      probers,
      checks,
      alerter,
      membership,
      *history,
      static_cast<std::size_t>(config.prober.maxInFlight),
      ProbeLoop::Observer{[this](std::size_t n) { metrics.setInFlight(static_cast<double>(n)); },
                          [this](SteadyDuration lag) {
                            metrics.observeScheduleLag(std::chrono::duration<double>(lag).count());
                          }}};
  ConfigReloader reloader{services.loadConfig, services.post,
                          [this](Config next) {
                            applier.apply(std::move(next));
                            return fmt::format("config reloaded: {} checks\n", checks.size());
                          },
                          [this](bool applied) { metrics.recordReload(applied); }};
  CheckHistory checkHistory{*history, *historyFiles.reader, services.post};
  MetricsEndpoint metricsEndpoint{
      checks, metrics,
      [this] {
        metrics.setInFlight(static_cast<double>(probes.inFlight()));
        metrics.setHistoryDropped(history->dropped());
        metrics.setRunsSkipped(probes.skippedTotal());
        metrics.setHistorySize(static_cast<double>(history->sizeOnDisk()));
      },
      [this] { return config.prober.metrics; }, PROBER_VERSION};
  HealthEndpoint healthEndpoint{alerter, [this] { return stopping; }};
  ReloadEndpoint reloadEndpoint{reloader};
  StatusPages pages{checks,    checkHistory,  *history,       *historyFiles.reader,
                    pageHolds, services.post, services.clock, services.newTimer};
  // `status TEXT` from Slack: shown on /status and kept in the store across restarts.
  StatusNotice statusNotice{*store, pages};
  ChecksEndpoint checksEndpoint{checks, checkHistory, pages.uptime(), [this] { return nowMs(); }};
  ProbeEndpoint probeEndpoint{checks};
  TargetsEndpoint targetsEndpoint{checks};
  SlackCommandEndpoint slackEndpoint{
      alerter,
      *history,
      pageHolds,
      [this] { return services.clock.wallNow(); },
      [this](const std::string& glob) {
        return checks.count(
            [&glob](const CheckSpec& spec) { return coversCheck({glob}, {}, spec); });
      },
      [this] { holdsChanged(); },
      [this](std::optional<Announcement> notice) { statusNotice.set(std::move(notice)); },
      services.clock,
      services.newTimer()};
  SilencesEndpoint silencesEndpoint{pageHolds, [this] { return services.clock.wallNow(); },
                                    [this] { holdsChanged(); }};
  BasicAuth auth{services.post};
  RequestGuard guard;
  LivenessEndpoint livenessEndpoint;
  AnswerDeadline answerDeadline{services.clock, services.newTimer, std::chrono::seconds(15)};
  Router router;
  FrontDoor frontDoor{router, guard, auth, answerDeadline, [this] { holdMarker.refresh(); }};
  std::unique_ptr<HttpServer> server;
  ConfigApplier applier{.config = config,
                        .options = options,
                        .clock = services.clock,
                        .auth = auth,
                        .guard = guard,
                        .server = server,
                        .checks = checks,
                        .membership = membership,
                        .alerter = alerter,
                        .history = *history,
                        .pages = pages,
                        .metrics = metrics,
                        .pageHolds = pageHolds,
                        .slackEndpoint = slackEndpoint,
                        .probes = probes,
                        .holdsChanged = [this] { holdsChanged(); }};
  std::unique_ptr<SignalWatcher> signals;  // when services.watchSignals
  bool stopping = false;
};

Daemon::Impl::Impl(Services services_, DaemonOptions options_, Config config_)
    : services(std::move(services_)), options(std::move(options_)), config(std::move(config_)) {
  std::string error;
  std::map<std::string, SavedAlert> saved = store->loadAlerts(error);
  if (!error.empty()) {
    throw std::runtime_error(error);
  }
  if (!pageHolds.load(services.clock.wallNow(), error)) {
    spdlog::error("{}", error);  // a damaged silence is skipped; the others hold
  }
  server = std::make_unique<HttpServer>(
      services.io, listen(),
      [this](const ServerRequest& request, Responder respond) {
        frontDoor.serve(request, std::move(respond));
      },
      TlsFiles{config.web.tlsCertFile, config.web.tlsKeyFile},
      static_cast<std::size_t>(config.web.maxConnections));
  server->observeLoopHolds([this](double seconds) { metrics.observeLoopHold(seconds); });
  router.exact("/metrics", "GET, HEAD", metricsEndpoint);
  router.exact("/-/reload", "POST", reloadEndpoint);
  router.exact("/healthz", "GET, HEAD", healthEndpoint);
  router.exact("/-/healthy", "GET, HEAD", livenessEndpoint);
  router.exact("/slack/command", "POST", slackEndpoint, [this] { return slackEndpoint.enabled(); });
  router.exact("/api/v1/checks", "GET, HEAD", checksEndpoint);
  router.exact("/probe", "GET, HEAD", probeEndpoint);
  router.exact("/api/v1/targets", "GET, HEAD", targetsEndpoint);
  router.exact("/api/v1/silences", "GET, HEAD, POST", silencesEndpoint);
  router.prefix("/api/v1/silences/", "DELETE", silencesEndpoint);
  router.prefix("/api/v1/checks/", "GET, HEAD", checksEndpoint);
  pages.route(router);
  statusNotice.restore();
  applier.apply(config, saved);
  pages.keepUptimeFresh();
  recoverAlerts(alerter, saved, checks, config.checks);
  if (services.watchSignals) {
    signals = std::make_unique<SignalWatcher>(
        services.io, options.configPath,
        [this] { reloader.reload([](bool, const std::string&) {}); }, [this] { stop(); });
  }
  const std::string url = server->url();
  spdlog::info(
      "prober {} listening on {} with {} checks: status page {}/, metrics {}/metrics, "
      "API {}/api/v1/checks",
      PROBER_VERSION, url, checks.size(), url, url, url);
}

void Daemon::Impl::stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  probes.stop();
  alerter.stop();
  pages.stop();
  server->stop();
  if (signals) {
    signals->cancel();
  }
  reloader.stop();
  services.io.stop();
}

Daemon::Daemon(Services services, DaemonOptions options, Config config)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(options), std::move(config))) {}

Daemon::~Daemon() = default;

void Daemon::answer(const ServerRequest& request, Responder respond) {
  impl_->frontDoor.serve(request, std::move(respond));
}

void Daemon::stop() {
  impl_->stop();
}

unsigned short Daemon::port() const {
  return impl_->server->port();
}

}  // namespace prober
