#pragma once
// What a check is, validated and immutable once loaded. A check is a list of steps run in
// order on one schedule; a single-request check is a check with one step.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/assertion.h"
#include "checks/cron.h"
#include "checks/duration.h"
#include "checks/extraction.h"
#include "checks/labels.h"
#include "checks/redaction.h"
#include "checks/shard.h"
#include "checks/shared_value.h"

namespace prober {

// Where something was written, for messages: FILE:LINE:COL.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};
std::string toString(const SourceLocation& where);

inline constexpr std::uint64_t kDefaultBodySizeLimit = 1024 * 1024;
inline constexpr int kDefaultMaxRedirects = 10;

// What a step sets for its connection beyond the URL. Most checks set none of it and checks
// that do mostly set the same, so a step holds it shared (StepSpec::connection).
struct StepConnection {
  bool tlsVerify = true;
  std::string caFile;      // trust these CAs instead of the system's
  std::string clientCert;  // PEM; with clientKey, for mutual TLS
  std::string clientKey;
  std::string serverName;  // TLS server name (SNI and certificate check) instead of the url's
  // Secrets: sent, never shown.
  std::string basicUser;
  std::string basicPassword;
  bool basicAuth = false;
  std::string bearerToken;
  std::string proxy;

  bool operator==(const StepConnection&) const = default;
};

// What a step's request carries beyond its method and url. Most checks send none of it and
// checks that do mostly send the same (a [defaults] header), so a step holds it shared.
struct StepContent {
  std::vector<std::pair<std::string, std::string>> headers;
  // Appended to the url, percent-encoded when the request is sent.
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
  // `form = {...}`: sent as an application/x-www-form-urlencoded body, encoded when sent.
  std::vector<std::pair<std::string, std::string>> form;
  bool bodyIsJson = false;  // the body came from `json = {...}`: values are JSON-escaped

  bool operator==(const StepContent&) const = default;
};

struct StepSpec {
  std::string name;  // the check's name for a single-request check
  std::string method = "GET";
  std::string url;  // with ${VAR} expanded: used for requests only
  // The url as written when ${VAR} expansion changed it, "" otherwise (most checks: the url
  // is held once).
  std::string writtenUrl;
  // The url as written, ${VAR} left unexpanded: safe to show anywhere.
  const std::string& displayUrl() const { return writtenUrl.empty() ? url : writtenUrl; }
  SharedValue<StepContent> content;  // headers, query, body, form
  bool followRedirects = true;
  int maxRedirects = kDefaultMaxRedirects;
  std::uint64_t bodySizeLimit = kDefaultBodySizeLimit;
  // TLS files and names, credentials, a proxy: most checks set none, so they are kept apart.
  SharedValue<StepConnection> connection;
  int httpVersion = 0;                // 0: curl's choice (HTTP/2 over TLS when offered), 11, 20
  int ipVersion = 0;                  // 0: either, 4 or 6: only that family
  std::vector<Assertion> assertions;  // empty: any 2xx passes
  // `degraded = [...]`: judged when the assertions pass; one failing marks the run degraded.
  std::vector<Assertion> degradedAssertions;
  // Values this step's response gives to later steps, read once its assertions passed.
  std::vector<Extraction> extractions;
  // The url, a header or the body holds a {{placeholder}}: each run sends a filled-in copy.
  bool hasPlaceholders = false;

  bool operator==(const StepSpec&) const = default;
};

// The longest check name: its PagerDuty dedup_key ("prober:" + name + a suffix such as
// ":cert") must fit in the 255 bytes PagerDuty accepts, with room for suffixes to come.
inline constexpr std::size_t kMaxCheckNameLength = 200;

// What kind of target a check probes; each kind has its own prober behind one interface
// (prober/engine/check_prober.h). HTTP is the only kind so far.
enum class CheckKind : std::uint8_t { Http };
inline constexpr std::size_t kCheckKindCount = 1;
std::string_view checkKindName(CheckKind kind);  // "http"

struct CheckSpec {
  std::string name;  // [A-Za-z0-9_.:-], at most kMaxCheckNameLength
  CheckKind kind = CheckKind::Http;
  Millis interval{30'000};
  Millis timeout{10'000};
  int failureThreshold = 3;
  int successThreshold = 1;
  // `failure_window = 5`: the alert fires when failureThreshold of the last failureWindow runs
  // failed; 0 (not set): failureThreshold runs in a row.
  int failureWindow = 0;
  // `retry_interval = "5s"`: while the last run failed and the alert is not firing, the next
  // run comes this long after the failed one started (at least `timeout`); 0: not set.
  Millis retryInterval{0};
  // `renotify = "1h"`: while the alert fires, its Slack notifiers are reminded this often.
  Millis renotify{0};
  // `depends_on = [...]`: while one of these checks' alert fires, this check's pages are held.
  std::vector<std::string> dependsOn;
  // `page = "quorum"`: this instance sends no page for the check; Prometheus and Alertmanager
  // page when enough locations see it failing (examples/quorum/). Default "local".
  bool pageByQuorum = false;
  // `cert_warning = "21d"`: a warning page (its own alert, dedup key prober:NAME:cert) while
  // the certificate expires sooner than this; 0 when not set.
  Millis certWarning{0};
  std::vector<std::string> notify;
  Labels labels;
  std::vector<StepSpec> steps;
  // Every ${VAR} value the check sends (and its Basic credentials as they travel): failure
  // messages are scrubbed of them before anyone sees them.
  std::vector<Secret> secrets;

  // The first step's url as written ("" for a check without steps): what names it to people.
  const std::string& displayUrl() const;

  // Same behaviour: decides whether a reload keeps the check's state.
  bool sameAs(const CheckSpec& other) const;
};

std::ostream& operator<<(std::ostream& out, const CheckSpec& spec);

// Whether any step of the check has `degraded` assertions (it can be degraded).
bool hasDegradedAssertions(const CheckSpec& spec);

// Whether judging the step reads a response header (an assertion, degraded or not, or an
// extraction of `header NAME`): a step that reads none need not keep them.
bool readsHeaders(const StepSpec& step);

// A [notifiers.NAME] table as written: its type and its settings as strings (${VAR} expanded,
// so they may hold secrets), each with where it was written. What the types and settings mean
// is alerting's business (alerting/notifier_settings.h reads them into typed settings).
struct NotifierSpec {
  std::string name;
  std::string type;                                       // "" when the table names none
  std::map<std::string, std::string> settings;            // every key but type and timeout
  std::map<std::string, std::vector<std::string>> lists;  // settings written as arrays
  std::map<std::string, SourceLocation> settingsAt;       // where each value (type's too) is
  std::map<std::string, SourceLocation> keysAt;           // where each key is
  SourceLocation at;                                      // the table
  Millis timeout{10'000};                                 // for each delivery attempt
};

// `[prober] metrics`: which per-check series /metrics exports. `minimal` is what a million
// checks' worth of series can afford; `full` is every series (README, "Sizing").
enum class MetricsDetail { Minimal, Summary, Full };
std::string_view metricsDetailName(MetricsDetail detail);  // "minimal" | "summary" | "full"
std::optional<MetricsDetail> parseMetricsDetail(std::string_view name);

struct ProberSettings {
  std::string listen = "127.0.0.1:9115";
  std::string stateDir = "./state";
  int maxInFlight = 1000;
  std::string userAgent;  // default "prober/VERSION", filled by the runtime
  std::string externalUrl;
  // history_retention: runs and events kept. A day past the longest uptime window (30 d), so
  // the 30 d figures cover 30 days unless a shorter retention or history_max_size says otherwise.
  Millis historyRetention{31LL * 24 * 3600 * 1000};
  std::uint64_t historyMaxSize = 0;  // history_max_size in bytes: the oldest go past it; 0: none
  // `shard = "k/n"`: this instance runs the checks rendezvous hashing gives shard k of n.
  std::optional<Shard> shard;
  // `location = "tokyo"`: where this instance probes from, named in pages, Slack, the history,
  // the report and the status page; "" when not set.
  std::string location;
  // `status_group_by = "team"`: the status pages group checks by this label ("" : one group).
  std::string statusGroupBy;
  MetricsDetail metrics = MetricsDetail::Full;
};

// [slack_command]: who may page on-call from Slack. Decisions use IDs only.
struct SlackCommandSpec {
  bool enabled = false;                   // the table is present: POST /slack/command is served
  std::string signingSecret;              // from ${VAR}
  std::string notifier;                   // a pagerduty notifier
  std::vector<std::string> allowedTeams;  // empty: any workspace that signs with the secret
  std::vector<std::string> allowedChannels;
  std::vector<std::string> allowedUsers;
  std::map<std::string, SourceLocation> at;  // where each key was written
};

// [web]: the listener's protection, with the keys of the Prometheus exporters' web config.
struct WebSettings {
  std::string tlsCertFile;  // PEM certificate chain; with tlsKeyFile, the listener speaks HTTPS
  std::string tlsKeyFile;
  // NAME -> bcrypt hash; when any is set, every endpoint but /healthz and /slack/command needs
  // one of these users.
  std::map<std::string, std::string> basicAuthUsers;
  // allowed_hosts: names a request's Host may carry besides IP literals and localhost (lower
  // case); any other name is refused, so a page that rebinds its own name to this address
  // reaches nothing.
  std::vector<std::string> allowedHosts;
  // max_connections: connections open at once; past it the listener stops accepting until one
  // closes (the rest wait in the kernel's backlog).
  int maxConnections = 1024;

  bool tls() const { return !tlsCertFile.empty(); }
  bool operator==(const WebSettings&) const = default;
};

// [[maintenance]]: a window in which the matched checks' pages are held (probing goes on).
struct MaintenanceSpec {
  std::string name;
  std::vector<std::string> checks;            // globs on check names
  std::map<std::string, std::string> labels;  // every one must match
  std::optional<CronSchedule> schedule;       // recurring: starts, in `timezone`...
  std::optional<std::chrono::system_clock::time_point> start;  // ...or once
  Millis duration{0};
  std::string timezone = "UTC";  // an IANA name from the system's tz database
  SourceLocation at;

  bool operator==(const MaintenanceSpec& other) const {
    return name == other.name && checks == other.checks && labels == other.labels &&
           schedule == other.schedule && start == other.start && duration == other.duration &&
           timezone == other.timezone;
  }
};

// [[announcement]]: a notice on the public status page (/status) until `endsAt`.
struct AnnouncementSpec {
  enum class Level { Info, Warning, Outage };
  std::string text;
  Level level = Level::Info;
  std::optional<std::chrono::system_clock::time_point> endsAt;  // none: until it is removed

  bool operator==(const AnnouncementSpec&) const = default;
};

std::string_view levelName(AnnouncementSpec::Level level);  // "info" | "warning" | "outage"
std::optional<AnnouncementSpec::Level> parseLevel(std::string_view name);

struct Config {
  std::string path;
  ProberSettings prober;
  WebSettings web;
  SlackCommandSpec slackCommand;
  std::map<std::string, NotifierSpec> notifiers;
  std::vector<MaintenanceSpec> maintenance;
  std::vector<AnnouncementSpec> announcements;
  std::vector<std::shared_ptr<const CheckSpec>> checks;  // in file order
};

}  // namespace prober
