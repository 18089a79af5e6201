#include "checks/template.h"

#include <fmt/format.h>
#include <algorithm>
#include <random>

#include "checks/json_text.h"

namespace prober {

void Variables::set(std::string_view name, std::string value) {
  for (auto& [key, current] : values_) {
    if (key == name) {
      current = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::string(name), std::move(value));
}

const std::string* Variables::find(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

bool isBuiltinVariable(std::string_view name) {
  return std::find(kBuiltinVariables.begin(), kBuiltinVariables.end(), name) !=
         kBuiltinVariables.end();
}

namespace {

std::mt19937_64& randomSource() {
  // Seeded once per thread from the OS; these values name test data, they guard nothing.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

std::string randomUuid() {
  auto& generator = randomSource();
  std::uint64_t high = generator();
  std::uint64_t low = generator();
  high = (high & ~0xF000ULL) | 0x4000ULL;                       // version 4
  low = (low & ~(0xC000ULL << 48)) | (0x8000ULL << 48);        // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

bool isNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool isNameChar(char c) {
  return isNameStart(c) || (c >= '0' && c <= '9');
}

// Reads a placeholder at text[at] ("{{"): its name and the offset just past "}}", or false.
bool readPlaceholder(std::string_view text, std::size_t at, std::string_view& name,
                     std::size_t& end) {
  std::size_t pos = at + 2;
  while (pos < text.size() && text[pos] == ' ') {
    ++pos;
  }
  const std::size_t nameStart = pos;
  if (pos >= text.size() || !isNameStart(text[pos])) {
    return false;
  }
  while (pos < text.size() && isNameChar(text[pos])) {
    ++pos;
  }
  name = text.substr(nameStart, pos - nameStart);
  while (pos < text.size() && text[pos] == ' ') {
    ++pos;
  }
  if (text.substr(pos, 2) != "}}") {
    return false;
  }
  end = pos + 2;
  return true;
}

void appendEscaped(std::string& out, std::string_view value, Escape escape) {
  switch (escape) {
    case Escape::None: out += value; return;
    case Escape::JsonString:
      appendJsonEscaped(out, value);
      return;
  }
}

}  // namespace

std::string percentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const bool unreserved = isNameChar(c) || c == '-' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string encodePairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += percentEncode(name);
    out.push_back('=');
    out += percentEncode(value);
  }
  return out;
}

void setBuiltinVariables(Variables& variables, std::chrono::system_clock::time_point now) {
  variables.set("timestamp",
                std::to_string(
                    std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  variables.set("uuid", randomUuid());
  variables.set("random_int", std::to_string(randomSource()() & 0x7FFFFFFFULL));
}

bool isValidVariableName(std::string_view name) {
  return !name.empty() && isNameStart(name.front()) &&
         std::all_of(name.begin(), name.end(), isNameChar);
}

std::vector<Placeholder> placeholdersIn(std::string_view text) {
  std::vector<Placeholder> found;
  for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at)) {
    std::string_view name;
    std::size_t end = 0;
    if (readPlaceholder(text, at, name, end)) {
      found.push_back({std::string(name), at});
      at = end;
    } else {
      ++at;
    }
  }
  return found;
}

std::string fillPlaceholders(std::string_view text, const Variables& variables, Escape escape) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at)) {
    std::string_view name;
    std::size_t end = 0;
    if (!readPlaceholder(text, at, name, end)) {
      ++at;
      continue;
    }
    if (const std::string* value = variables.find(name)) {
      out.append(text.substr(copied, at - copied));
      appendEscaped(out, *value, escape);
      copied = end;
    }
    at = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::string withSampleValues(std::string_view text) {
  Variables samples;
  for (const Placeholder& placeholder : placeholdersIn(text)) {
    samples.set(placeholder.name, "x");
  }
  return fillPlaceholders(text, samples, Escape::None);
}

}  // namespace prober
