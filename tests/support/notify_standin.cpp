// Stand-ins for PagerDuty's Events API v2 and a Slack incoming webhook, on 127.0.0.1, for the
// alerting tests. Every event is checked against the documented rules (content type, required
// fields, severity values, lengths and sizes, strict UTF-8); a test can make either answer 400, 429 or 500, answer
// slowly, or drop the connection, and reads back what was accepted.
//   POST /v2/enqueue                      PagerDuty Events API v2
//   POST /slack/hook[/ANY]                Slack incoming webhook (real ones carry a secret path)
//   POST /control?target=T&mode=M         T: pagerduty|slack; M: ok|400|429|500|slow|drop
//                                         (slow: holds the request 15 s, past any client
//                                         timeout, then answers 503: nothing was processed)
//   GET  /events?target=T                 accepted events, in arrival order, as a JSON array
//   GET  /raw?target=T                    the same events' bodies as sent, one a line
//   GET  /stats                           counts per target: accepted, invalid, refused
// Prints its port, then serves until killed or until its time limit (seconds, argv[1]) passes.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  std::string mode = "ok";
  json::array accepted;
  std::string acceptedRaw;  // the accepted bodies as they arrived, one a line
  int invalid = 0;
  int refused = 0;
};

std::map<std::string, Target> targets = {{"pagerduty", {}}, {"slack", {}}};

std::string queryValue(std::string_view target, std::string_view key) {
  const auto query = target.find('?');
  if (query == std::string_view::npos) {
    return "";
  }
  std::string_view rest = target.substr(query + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == key && pair.find('=') != std::string_view::npos) {
      return std::string(pair.substr(pair.find('=') + 1));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(amp + 1);
  }
  return "";
}

bool isIsoTimestamp(std::string_view text) {
  // 2026-11-24T08:00:00.000Z (fraction and zone as ISO 8601 allows)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return false;
  }
  return text.back() == 'Z' || text.find('+') != std::string_view::npos || text.rfind('-') > 10;
}

// A strict UTF-8 decoder, written apart from prober's own: shortest forms only, no surrogates,
// nothing past U+10FFFF. PagerDuty and Slack refuse anything else.
bool isStrictUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    std::size_t length = 0;
    std::uint32_t point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      point = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      point = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > bytes.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      point = (point << 6) | (next & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < smallest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// Characters (code points) of valid UTF-8: PagerDuty's summary limit counts these.
std::size_t characters(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return count;
}

bool isHttpUrl(std::string_view text) {
  return (text.rfind("http://", 0) == 0 && text.size() > 7) ||
         (text.rfind("https://", 0) == 0 && text.size() > 8);
}

// PagerDuty's documented limit on a whole event.
constexpr std::size_t kPagerDutyEventLimit = 512 * 1024;

// The documented rules for an Events API v2 event; returns every violation.
std::vector<std::string> validatePagerDuty(const json::value& body) {
  std::vector<std::string> errors;
  const auto* event = body.if_object();
  if (event == nullptr) {
    return {"body must be a JSON object"};
  }
  const auto stringField = [&](const json::object& object, const char* key) -> const json::string* {
    const auto* value = object.if_contains(key);
    return value != nullptr ? value->if_string() : nullptr;
  };
  const json::string* routingKey = stringField(*event, "routing_key");
  if (routingKey == nullptr || routingKey->size() != 32) {
    errors.push_back("routing_key must be a 32-character string");
  }
  const json::string* action = stringField(*event, "event_action");
  static const std::set<std::string> kActions = {"trigger", "acknowledge", "resolve"};
  if (action == nullptr || kActions.count(std::string(*action)) == 0) {
    errors.push_back("event_action must be trigger, acknowledge or resolve");
    return errors;
  }
  const json::string* dedupKey = stringField(*event, "dedup_key");
  if (event->contains("dedup_key") &&
      (dedupKey == nullptr || dedupKey->size() > 255 || dedupKey->empty())) {
    errors.push_back("dedup_key must be a string of 1 to 255 characters");
  }
  if (*action != "trigger") {
    if (dedupKey == nullptr) {
      errors.push_back("dedup_key is required to acknowledge or resolve");
    }
    return errors;
  }
  const auto* payloadValue = event->if_contains("payload");
  const json::object* payload = payloadValue != nullptr ? payloadValue->if_object() : nullptr;
  if (payload == nullptr) {
    errors.push_back("payload is required for a trigger");
    return errors;
  }
  const json::string* summary = stringField(*payload, "summary");
  if (summary == nullptr || summary->empty() || characters(*summary) > 1024) {
    errors.push_back("payload.summary must be a string of 1 to 1024 characters");
  }
  const json::string* source = stringField(*payload, "source");
  if (source == nullptr || source->empty()) {
    errors.push_back("payload.source is required");
  }
  const json::string* severity = stringField(*payload, "severity");
  static const std::set<std::string> kSeverities = {"critical", "error", "warning", "info"};
  if (severity == nullptr || kSeverities.count(std::string(*severity)) == 0) {
    errors.push_back("payload.severity must be critical, error, warning or info");
  }
  if (payload->contains("timestamp")) {
    const json::string* timestamp = stringField(*payload, "timestamp");
    if (timestamp == nullptr || !isIsoTimestamp(*timestamp)) {
      errors.push_back("payload.timestamp must be ISO 8601");
    }
  }
  for (const char* key : {"component", "group", "class"}) {
    if (payload->contains(key) && stringField(*payload, key) == nullptr) {
      errors.push_back(std::string("payload.") + key + " must be a string");
    }
  }
  if (payload->contains("custom_details") && !payload->at("custom_details").is_object()) {
    errors.push_back("payload.custom_details must be an object");
  }
  if (event->contains("client") && stringField(*event, "client") == nullptr) {
    errors.push_back("client must be a string");
  }
  if (event->contains("client_url")) {
    const json::string* url = stringField(*event, "client_url");
    if (url == nullptr || !isHttpUrl(*url)) {
      errors.push_back("client_url must be an http(s) URL");
    }
  }
  for (const char* key : {"links", "images"}) {
    if (!event->contains(key)) {
      continue;
    }
    const json::array* list = event->at(key).if_array();
    const char* urlKey = std::string_view(key) == "links" ? "href" : "src";
    bool ok = list != nullptr;
    for (std::size_t i = 0; ok && i < list->size(); ++i) {
      const json::object* item = (*list)[i].if_object();
      const json::string* url = item != nullptr ? stringField(*item, urlKey) : nullptr;
      ok = url != nullptr && isHttpUrl(*url);
    }
    if (!ok) {
      errors.push_back(std::string(key) + " must be an array of objects with an http(s) " +
                       urlKey);
    }
  }
  return errors;
}

std::vector<std::string> validateSlack(const json::value& body) {
  const auto* message = body.if_object();
  if (message == nullptr) {
    return {"body must be a JSON object"};
  }
  std::vector<std::string> errors;
  const bool hasText = message->contains("text") && message->at("text").is_string();
  const bool hasAttachments =
      message->contains("attachments") && message->at("attachments").is_array();
  if (!hasText && !hasAttachments) {
    errors.push_back("no_text");
  }
  if (hasAttachments) {
    for (const auto& attachment : message->at("attachments").as_array()) {
      if (!attachment.is_object() || !attachment.as_object().contains("color")) {
        errors.push_back("each attachment must be an object with a color");
      }
    }
  }
  return errors;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(tcp::socket socket)
      : stream_(std::move(socket)), timer_(stream_.get_executor()) {}
  void start() { read(); }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) {
                         self->handle();
                       }
                     });
  }

  void reply(http::status status, std::string body, std::string type = "application/json") {
    response_ = {};
    response_.version(request_.version());
    response_.result(status);
    response_.keep_alive(request_.keep_alive());
    response_.set(http::field::content_type, type);
    response_.body() = std::move(body);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec && self->response_.keep_alive()) {
                          self->read();
                        } else {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                        }
                      });
  }

  void handle() {
    const std::string target(request_.target());
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/control" && request_.method() == http::verb::post) {
      const std::string name = queryValue(target, "target");
      const std::string mode = queryValue(target, "mode");
      static const std::set<std::string> kModes = {"ok", "400", "429", "500", "slow", "drop"};
      if (targets.count(name) == 0 || kModes.count(mode) == 0) {
        return reply(http::status::bad_request, R"({"error":"bad target or mode"})");
      }
      targets[name].mode = mode;
      return reply(http::status::ok, R"({"ok":true})");
    }
    if (path == "/events" && request_.method() == http::verb::get) {
      const auto it = targets.find(queryValue(target, "target"));
      return it == targets.end() ? reply(http::status::not_found, "[]")
                                 : reply(http::status::ok, json::serialize(it->second.accepted));
    }
    if (path == "/raw" && request_.method() == http::verb::get) {
      const auto it = targets.find(queryValue(target, "target"));
      return it == targets.end() ? reply(http::status::not_found, "")
                                 : reply(http::status::ok, it->second.acceptedRaw, "text/plain");
    }
    if (path == "/stats") {
      json::object stats;
      for (const auto& [name, t] : targets) {
        stats[name] = {{"accepted", t.accepted.size()},
                       {"invalid", t.invalid},
                       {"refused", t.refused},
                       {"mode", t.mode}};
      }
      return reply(http::status::ok, json::serialize(stats));
    }
    const bool slackHook = path == "/slack/hook" || path.rfind("/slack/hook/", 0) == 0;
    if ((path == "/v2/enqueue" || slackHook) && request_.method() == http::verb::post) {
      return event(slackHook ? "slack" : "pagerduty");
    }
    reply(http::status::not_found, R"({"error":"not found"})");
  }

  void event(const std::string& name) {
    Target& t = targets[name];
    if (t.mode == "drop") {
      ++t.refused;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.close();
      return;
    }
    if (t.mode == "429" || t.mode == "500") {
      ++t.refused;
      return reply(
          t.mode == "429" ? http::status::too_many_requests : http::status::internal_server_error,
          R"({"status":"throttled or failing","message":"try again later"})");
    }
    if (t.mode == "slow") {
      ++t.refused;
      timer_.expires_after(std::chrono::seconds(15));
      timer_.async_wait([self = shared_from_this()](beast::error_code) {
        self->reply(http::status::service_unavailable, R"({"status":"too slow"})");
      });
      return;
    }
    std::vector<std::string> errors;
    json::value body;
    const std::string contentType(request_[http::field::content_type]);
    if (contentType.rfind("application/json", 0) != 0) {
      errors.push_back("Content-Type must be application/json");
    } else if (name == "pagerduty" && request_.body().size() > kPagerDutyEventLimit) {
      errors.push_back("event is larger than 512 KB");
    } else if (!isStrictUtf8(request_.body())) {
      errors.push_back("body is not valid UTF-8");
    } else {
      boost::system::error_code ec;
      body = json::parse(request_.body(), ec);
      if (ec) {
        errors.push_back("body is not JSON");
      } else {
        errors = name == "pagerduty" ? validatePagerDuty(body) : validateSlack(body);
      }
    }
    if (t.mode == "400" && errors.empty()) {
      errors.push_back("forced by the test");
      ++t.refused;
    } else if (!errors.empty()) {
      ++t.invalid;
      std::cerr << name << " stand-in: invalid event:";
      for (const auto& e : errors) {
        std::cerr << " " << e << ";";
      }
      std::cerr << std::endl;
    }
    if (!errors.empty()) {
      json::array list;
      for (auto& e : errors) {
        list.emplace_back(e);
      }
      return reply(http::status::bad_request,
                   json::serialize(json::object{{"status", "invalid event"},
                                                {"message", "Event object is invalid"},
                                                {"errors", list}}));
    }
    t.accepted.push_back(body);
    t.acceptedRaw += request_.body() + "\n";
    const std::string answer =
        name == "pagerduty"
            ? json::serialize(json::object{
                  {"status", "success"},
                  {"message", "Event processed"},
                  {"dedup_key", body.as_object().contains("dedup_key") ? body.at("dedup_key")
                                                                       : json::value("generated")}})
            : std::string("ok");
    const std::string type = name == "pagerduty" ? "application/json" : "text/plain";
    reply(name == "pagerduty" ? http::status::accepted : http::status::ok, answer, type);
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      std::make_shared<Connection>(std::move(socket))->start();
    }
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const int limitSeconds = argc > 1 ? std::atoi(argv[1]) : 300;
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::cout << acceptor.local_endpoint().port() << std::endl;
  accept(acceptor);
  io.run_for(std::chrono::seconds(limitSeconds));
  return 0;
}
