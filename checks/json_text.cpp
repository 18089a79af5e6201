#include "checks/json_text.h"

#include <fmt/format.h>

#include <cmath>

#include "checks/number_format.h"
#include "checks/text.h"

namespace prober {

void appendJsonEscaped(std::string& out, std::string_view text) {
  for (const char c : validUtf8(text)) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out.push_back(c);
        }
    }
  }
}

namespace {

void appendQuoted(std::string& out, std::string_view text) {
  out.push_back('"');
  appendJsonEscaped(out, text);
  out.push_back('"');
}

void append(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(value.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(value.get_uint64()); break;
    case boost::json::kind::double_:
      // JSON has no NaN or infinity; null says "no number" without breaking the document.
      out += std::isfinite(value.get_double()) ? formatNumber(value.get_double()) : "null";
      break;
    case boost::json::kind::string: {
      const auto& text = value.get_string();
      appendQuoted(out, std::string_view(text.data(), text.size()));
      break;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      for (std::size_t i = 0; i < value.get_array().size(); ++i) {
        out += i == 0 ? "" : ",";
        append(out, value.get_array()[i]);
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      const char* separator = "";
      for (const auto& member : value.get_object()) {
        out += separator;
        separator = ",";
        appendQuoted(out, std::string_view(member.key().data(), member.key().size()));
        out.push_back(':');
        append(out, member.value());
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace

std::string toJsonText(const boost::json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

std::string jsonQuoted(std::string_view text) {
  std::string out;
  appendQuoted(out, text);
  return out;
}

}  // namespace prober
