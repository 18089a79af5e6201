// The composition root: builds the pieces from the injected services, in the order they
// depend on each other, and wires what one reports to the next. It holds no logic of its own
// beyond applying a config and stopping; docs/architecture.md draws the house.
#include "prober/daemon.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "alerting/alerter.h"
#include "alerting/notifier_settings.h"
#include "alerting/page_holds.h"
#include "alerting/store.h"
#include "history/history.h"
#include "prober/alert_recorder.h"
#include "prober/runtime/check_set.h"
#include "prober/runtime/config_reloader.h"
#include "prober/runtime/hold_policy.h"
#include "prober/runtime/probe_loop.h"
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
#include "prober/web/server/answer_deadline.h"
#include "prober/web/server/basic_auth.h"
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
  // The shard this instance runs (--shard, else [prober] shard); nullopt: every check.
  std::optional<Shard> shard() const { return options.shard ? options.shard : config.prober.shard; }
  // The checks of `all` this instance runs.
  std::vector<std::shared_ptr<const CheckSpec>> owned(
      const std::vector<std::shared_ptr<const CheckSpec>>& all) const;
  void apply(Config next, const std::map<std::string, SavedAlert>& saved = {});
  void watchSignals();
  void handle(const ServerRequest& request, Responder respond);
  // A silence came or went, or the config changed: held pages are asked about again, and each
  // check's marks (silenced, suppressed) redone.
  void holdsChanged();
  // Redoes the checks' marks at most once a second, before a request reads them.
  void markHolds();
  // The spec of the running check by this name, nullptr when none runs.
  const CheckSpec* runningSpec(const std::string& name) const {
    const auto state = checks.find(name);
    return state ? state->spec().get() : nullptr;
  }
  SteadyTime markedAt{};
  // The shard the checks were last applied as ("" unsharded), from the store at start: a check
  // this instance runs now that the earlier shard did not is adopted.
  std::optional<std::string> appliedShard;
  // Adopted checks whose one resolve is still to come, kept in the store so a restart before
  // their passes does not forget them.
  std::set<std::string> adoptedPending;
  void saveAdopted();
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
  std::unique_ptr<Timer> schedulerTimer = services.newTimer();
  CheckSet checks;
  HoldPolicy holdPolicy{checks, pageHolds, services.clock};
  ProbeLoop probes{
      services.clock,
      *schedulerTimer,
      services.engine,
      checks,
      alerter,
      *history,
      static_cast<std::size_t>(config.prober.maxInFlight),
      ProbeLoop::Observer{[this](std::size_t n) { metrics.setInFlight(static_cast<double>(n)); },
                          [this](SteadyDuration lag) {
                            metrics.observeScheduleLag(std::chrono::duration<double>(lag).count());
                          },
                          [this](const std::string& check) {
                            adoptedPending.erase(check);
                            saveAdopted();
                          }}};
  ConfigReloader reloader{services.loadConfig, services.post,
                          [this](Config next) {
                            if (!options.listen && next.prober.listen != config.prober.listen) {
                              spdlog::warn(
                                  "reload: listen changed to {}; it takes effect on "
                                  "restart, still on {}",
                                  next.prober.listen, listen());
                            }
                            apply(std::move(next));
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
  void setStatusNotice(std::optional<Announcement> notice);
  ChecksEndpoint checksEndpoint{checks, checkHistory, pages.uptime(), [this] { return nowMs(); }};
  ProbeEndpoint probeEndpoint{checks};
  TargetsEndpoint targetsEndpoint{checks};
  SlackCommandEndpoint slackEndpoint{
      alerter,
      *history,
      pageHolds,
      [this] { return services.clock.wallNow(); },
      [this](const std::string& glob) {
        std::size_t matching = 0;
        for (const auto& state : checks.inOrder()) {
          matching += coversCheck({glob}, {}, *state->spec());
        }
        return matching;
      },
      [this] { holdsChanged(); },
      [this](std::optional<Announcement> notice) { setStatusNotice(std::move(notice)); },
      services.clock,
      services.newTimer()};
  SilencesEndpoint silencesEndpoint{pageHolds, [this] { return services.clock.wallNow(); },
                                    [this] { holdsChanged(); }};
  BasicAuth auth{services.post};
  RequestGuard guard;
  LivenessEndpoint livenessEndpoint;
  AnswerDeadline answerDeadline{services.clock, services.newTimer, std::chrono::seconds(15)};
  Router router;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<boost::asio::signal_set> signals;  // when services.watchSignals
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
  error.clear();
  appliedShard = store->meta("shard", error);
  error.clear();
  if (const auto adopted = store->meta("adopted", error)) {
    boost::system::error_code ec;
    const auto names = boost::json::parse(*adopted, ec);
    if (!ec && names.is_array()) {
      for (const auto& name : names.get_array()) {
        if (name.is_string()) {
          adoptedPending.emplace(name.get_string());
        }
      }
    }
  }
  server = std::make_unique<HttpServer>(
      services.io, listen(),
      [this](const ServerRequest& request, Responder respond) {
        handle(request, std::move(respond));
      },
      TlsFiles{config.web.tlsCertFile, config.web.tlsKeyFile},
      static_cast<std::size_t>(config.web.maxConnections));
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
  error.clear();
  if (const auto notice = store->meta("announcement", error); notice && !notice->empty()) {
    pages.setSlackAnnouncement(announcementFromJson(*notice));
  }
  apply(config, saved);
  pages.keepUptimeFresh();
  // Built when first asked (alerts or notifications kept for a check this shard does not run):
  // a million names are not indexed for a start with nothing kept.
  std::optional<std::unordered_set<std::string_view>> configured;
  alerter.recover(
      saved, [this](const std::string& name) { return runningSpec(name); },
      [&](const std::string& name) {
        if (!configured) {
          configured.emplace();
          for (const auto& spec : config.checks) {
            configured->insert(spec->name);
          }
        }
        return configured->count(name) != 0;
      });
  if (services.watchSignals) {
    signals = std::make_unique<boost::asio::signal_set>(services.io, SIGHUP, SIGTERM, SIGINT);
    watchSignals();
  }
  const std::string address = listen();
  const std::string url = fmt::format("{}://{}:{}", config.web.tls() ? "https" : "http",
                                      address.substr(0, address.rfind(':')), server->port());
  spdlog::info(
      "prober {} listening on {} with {} checks: status page {}/, metrics {}/metrics, "
      "API {}/api/v1/checks",
      PROBER_VERSION, url, checks.size(), url, url, url);
}

// Replaces the running checks with `next`'s, keeping the state of unchanged ones; alerts of
// checks that left (or no longer watch their certificate) resolve. `saved`: the store's alerts,
// at start.
void Daemon::Impl::apply(Config next, const std::map<std::string, SavedAlert>& saved) {
  if (server && (next.web.tlsCertFile != config.web.tlsCertFile ||
                 next.web.tlsKeyFile != config.web.tlsKeyFile)) {
    spdlog::warn("reload: [web] TLS files changed; they take effect on restart");
  }
  config = std::move(next);
  auth.setUsers(config.web.basicAuthUsers);
  guard.setAllowedHosts(config.web.allowedHosts);
  if (server) {
    server->setMaxConnections(static_cast<std::size_t>(config.web.maxConnections));
  }
  const std::optional<Shard> previousShard = [&]() -> std::optional<Shard> {
    std::string ignored;
    return appliedShard && !appliedShard->empty() ? parseShard(*appliedShard, ignored)
                                                  : std::nullopt;
  }();
  const bool shardChanged = appliedShard && *appliedShard != (shard() ? shard()->text() : "");
  const CheckSetChange change = checks.apply(owned(config.checks), saved);
  if (shardChanged) {
    spdlog::info("shard changed from {} to {}", appliedShard->empty() ? "none" : *appliedShard,
                 shard() ? shard()->text() : "none");
    for (const auto& [id, spec] : change.started) {
      if (previousShard && !previousShard->owns(spec->name)) {  // unsharded ran them all
        adoptedPending.insert(spec->name);
      }
    }
  }
  for (auto it = adoptedPending.begin(); it != adoptedPending.end();) {
    const auto state = checks.find(*it);
    if (state) {
      state->adopted = true;
    }
    it = state ? std::next(it) : adoptedPending.erase(it);  // left this shard again: not ours
  }
  saveAdopted();
  if (!appliedShard || shardChanged) {
    appliedShard = shard() ? shard()->text() : "";
    std::string error;
    if (!store->setMeta("shard", *appliedShard, error)) {
      spdlog::error("{} (a later shard change cannot tell which checks it adopts)", error);
    }
  }
  alerter.setLocation(config.prober.location);
  history->setLocation(config.prober.location);
  pages.configure(config);
  metrics.setShard(shard());
  pageHolds.setWindows(config.maintenance);
  slackEndpoint.configure(config.slackCommand);
  history->setRetention(config.prober.historyRetention);
  history->setMaxSize(config.prober.historyMaxSize);
  std::vector<ConfigError> notifierErrors;  // none when loaded with checkNotifiers
  alerter.setNotifiers(readNotifiers(config.notifiers, notifierErrors), config.prober.externalUrl);
  for (const ConfigError& error : notifierErrors) {
    spdlog::error("{} (the notifier is left out)", toString(error));
  }
  for (const auto& [name, notifier] : config.notifiers) {
    metrics.declareNotifier(name);
  }
  const auto now = services.clock.wallNow();
  for (const auto& old : change.certWarningsDropped) {
    alerter.resolveCertWarning(*old->spec(), old->certExpiry().value_or(now));
  }
  for (const auto& old : change.degradedDropped) {
    alerter.resolveDegraded(*old->spec(), old->degradedSince());
  }
  std::set<std::string> inConfig;  // asked only about checks that left
  if (!change.removed.empty()) {
    for (const auto& spec : config.checks) {
      inConfig.insert(spec->name);
    }
  }
  for (const auto& gone : change.removed) {
    if (inConfig.count(gone->spec()->name) != 0) {  // still configured: another shard's now
      alerter.handOff(*gone->spec());
      continue;
    }
    if (gone->alert().firing()) {
      alerter.resolveRemoved(*gone->spec(), gone->last().get(), gone->failingSince());
    }
    if (gone->certWarningFiring()) {
      alerter.resolveCertWarning(*gone->spec(), gone->certExpiry().value_or(now));
    }
    if (gone->degradedAlert().firing()) {
      alerter.resolveDegraded(*gone->spec(), gone->degradedSince());
    }
  }
  for (const auto& state : change.firingNowPagedHere) {
    alerter.pageTakenFromQuorum(*state->spec(), state->last().get(),
                                state->alert().consecutiveFailures(), state->failingSince());
  }
  alerter.refreshHeld([this](const std::string& name) { return runningSpec(name); });
  alerter.notifiersChanged([this](const std::string& name) { return runningSpec(name); });
  holdsChanged();  // windows, dependencies or the checks themselves may have changed
  probes.schedule(change);
  probes.setMaxInFlight(static_cast<std::size_t>(config.prober.maxInFlight));
  metrics.setChecks(static_cast<double>(checks.size()));
  spdlog::info("config applied: {} checks ({} added, {} changed, {} removed, {} unchanged)",
               checks.size(), change.added, change.changed, change.removedCount(),
               change.unchanged);
  // Loading a config frees as much as it keeps (the parsed TOML); give it back to the system
  // rather than leave it scattered through the heap, where every later allocation searches it.
  malloc_trim(0);
}

std::vector<std::shared_ptr<const CheckSpec>> Daemon::Impl::owned(
    const std::vector<std::shared_ptr<const CheckSpec>>& all) const {
  const std::optional<Shard> mine = shard();
  if (!mine) {
    return all;
  }
  std::vector<std::shared_ptr<const CheckSpec>> out;
  for (const auto& spec : all) {
    if (mine->owns(spec->name)) {
      out.push_back(spec);
    }
  }
  return out;
}

void Daemon::Impl::saveAdopted() {
  boost::json::array names;
  for (const std::string& name : adoptedPending) {
    names.emplace_back(name);
  }
  std::string error;
  if (!store->setMeta("adopted", boost::json::serialize(names), error)) {
    spdlog::error("{} (a restart may forget which adopted checks still owe a resolve)", error);
  }
}

void Daemon::Impl::setStatusNotice(std::optional<Announcement> notice) {
  std::string error;
  if (!store->setMeta("announcement", notice ? toJson(*notice) : "", error)) {
    spdlog::error("{} (the status page notice is shown but a restart forgets it)", error);
  }
  pages.setSlackAnnouncement(std::move(notice));
}

void Daemon::Impl::holdsChanged() {
  alerter.releaseHeld();
  holdPolicy.markAll();
  markedAt = services.clock.now();
}

void Daemon::Impl::markHolds() {
  if (services.clock.now() - markedAt >= std::chrono::seconds(1)) {
    holdPolicy.markAll();
    markedAt = services.clock.now();
  }
}

// The health checks answer anyone (load balancers and container runtimes, by any name).
// Slack's command proves itself by its signature instead of a user, and Slack names the
// daemon by its public name: the guard against browsers has nothing to add to it. Every other
// request passes the guard, then (with [web] basic_auth_users) needs a user, and gets an
// answer within the deadline; a reload, whose wait is the reload's own, goes without it.
void Daemon::Impl::handle(const ServerRequest& request, Responder respond) {
  const std::string path = requestPath(request);
  if (path == "/healthz" || path == "/-/healthy") {
    return router.route(request, std::move(respond));
  }
  if (path != "/slack/command") {
    if (auto refused = guard.refusal(request)) {
      return respond(std::move(*refused));
    }
  }
  markHolds();
  const auto answered = [this, request, path](Responder answer) {
    if (!auth.enabled() || path == "/slack/command") {
      return router.route(request, std::move(answer));
    }
    auth.check(request, [this, request, answer = std::move(answer)](AuthDecision decision) {
      switch (decision) {
        case AuthDecision::Busy: return answer(BasicAuth::busy());
        case AuthDecision::Refused: return answer(BasicAuth::challenge());
        case AuthDecision::Allowed: return router.route(request, answer);
      }
    });
  };
  if (path == "/-/reload") {
    return answered(std::move(respond));
  }
  answerDeadline.serve(answered, std::move(respond));
}

void Daemon::Impl::watchSignals() {
  signals->async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", options.configPath);
      reloader.reload([](bool, const std::string&) {});
      watchSignals();
      return;
    }
    spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    stop();
  });
}

void Daemon::Impl::stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  probes.stop();
  schedulerTimer->cancel();
  alerter.stop();
  pages.stop();
  server->stop();
  if (signals) {
    boost::system::error_code ignored;
    signals->cancel(ignored);
  }
  reloader.stop();
  services.io.stop();
}

Daemon::Daemon(Services services, DaemonOptions options, Config config)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(options), std::move(config))) {}

Daemon::~Daemon() = default;

void Daemon::answer(const ServerRequest& request, Responder respond) {
  impl_->handle(request, std::move(respond));
}

void Daemon::stop() {
  impl_->stop();
}

unsigned short Daemon::port() const {
  return impl_->server->port();
}

}  // namespace prober
