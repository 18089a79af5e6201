#pragma once
// JSON text for every output (the API, `once --format json`, PagerDuty, Slack, the store):
// numbers through formatNumber, so a price reads 24.99 and not 2.499E1, and strings always
// valid UTF-8, so a body quoting invalid bytes cannot make an event PagerDuty refuses.
#include <boost/json/value.hpp>
#include <string>

namespace prober {

std::string toJsonText(const boost::json::value& value);

// `text` escaped for the inside of a JSON string (quotes not added), made valid UTF-8.
void appendJsonEscaped(std::string& out, std::string_view text);

// The JSON string literal for `text`, quotes included.
std::string jsonQuoted(std::string_view text);

}  // namespace prober
