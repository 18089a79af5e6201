#pragma once
// application/x-www-form-urlencoded, read strictly: Slack's slash-command bodies and the query
// strings of our own endpoints.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace prober {

// Every pair has '=' and a name, names are unique, every '%' is followed by two hex digits,
// and the decoded text is valid UTF-8 without control characters but tab and newline. nullopt
// with `error` saying what is wrong otherwise (a body over `limit` bytes included).
std::optional<std::map<std::string, std::string>> parseForm(std::string_view body,
                                                            std::string& error,
                                                            std::size_t limit = 8 * 1024);

// `text` for a query string: letters, digits and -._~ as they are, anything else %XX.
std::string urlEncode(std::string_view text);

}  // namespace prober
