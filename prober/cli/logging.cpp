#include "prober/cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "checks/redaction.h"

namespace prober {
namespace {

// Every line is scrubbed of credentials written into URLs (a notifier's or a check's URL quoted
// in an error), whatever code logged it: the last guard before the log leaves the process.
std::string scrubbed(const spdlog::details::log_msg& message) {
  return redactUrlCredentials(std::string(message.payload.data(), message.payload.size()));
}

// %& writes the message scrubbed.
class ScrubbedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    dest.append(std::string_view(scrubbed(message)));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ScrubbedMessage>();
  }
};

// %* writes the message scrubbed, as a JSON string body (quotes, backslashes and controls
// escaped).
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char c : scrubbed(message)) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            dest.append(std::string_view(buffer));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

}  // namespace

bool setUpLogging(const std::string& format, const std::string& level) {
  auto logger =
      std::make_shared<spdlog::logger>("prober", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "json") {
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%*"})");
  } else if (format == "text") {
    formatter->add_flag<ScrubbedMessage>('&').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %&");
  } else {
    return false;
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return true;
}

}  // namespace prober
