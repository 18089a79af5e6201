#include "checks/extraction.h"

#include <re2/re2.h>

#include <fmt/format.h>

#include "checks/json_text.h"
#include "checks/regex_literal.h"
#include "checks/template.h"

namespace prober {

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::optional<Extraction> Extraction::parse(std::string variable, std::string_view text,
                                            std::string& error) {
  if (!isValidVariableName(variable)) {
    error = fmt::format("variable name \"{}\" must match [A-Za-z_][A-Za-z0-9_]*", variable);
    return std::nullopt;
  }
  if (isBuiltinVariable(variable)) {
    error = fmt::format("\"{}\" is a built-in variable and cannot be extracted into", variable);
    return std::nullopt;
  }
  Extraction extraction;
  extraction.variable_ = std::move(variable);
  extraction.text_ = std::string(trimmed(text));
  const std::string_view spec = extraction.text_;
  const std::size_t space = spec.find_first_of(" \t");
  const std::string_view source = spec.substr(0, space);
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view() : trimmed(spec.substr(space));
  if (source == "status") {
    if (!argument.empty()) {
      error = "status takes no argument";
      return std::nullopt;
    }
    extraction.source_ = ExtractionSource::Status;
  } else if (source == "header") {
    if (argument.empty() || argument.find_first_of(" \t:") != std::string_view::npos) {
      error = "header takes one header name: header Location";
      return std::nullopt;
    }
    extraction.source_ = ExtractionSource::Header;
    extraction.headerName_ = std::string(argument);
  } else if (source == "body") {
    std::size_t pos = 0;
    std::string regexError;
    extraction.regex_ = parseRegexLiteral(argument, pos, regexError);
    if (extraction.regex_ == nullptr) {
      error = fmt::format("body takes a regex between slashes, like body /id=(\\d+)/: {}",
                          regexError);
      return std::nullopt;
    }
    if (pos != argument.size()) {
      error = fmt::format("unexpected \"{}\" after the regex", argument.substr(pos));
      return std::nullopt;
    }
    extraction.source_ = ExtractionSource::Body;
  } else if (source == "json") {
    std::string pathError;
    auto path = JsonPath::parse(argument, pathError);
    if (!path) {
      error = fmt::format("json takes a path like $.token: {}", pathError);
      return std::nullopt;
    }
    extraction.source_ = ExtractionSource::Json;
    extraction.path_ = std::make_shared<const JsonPath>(std::move(*path));
  } else {
    error = fmt::format("unknown source \"{}\": extract from status, header NAME, body /REGEX/ "
                        "or json PATH",
                        source);
    return std::nullopt;
  }
  return extraction;
}

std::optional<std::string> Extraction::apply(EvaluationContext& context,
                                             std::string& missing) const {
  const ProbeResult& result = context.result();
  switch (source_) {
    case ExtractionSource::Status: return std::to_string(result.status);
    case ExtractionSource::Header:
      if (const std::string* value = result.header(headerName_)) {
        return *value;
      }
      missing = fmt::format("no {} header", headerName_);
      return std::nullopt;
    case ExtractionSource::Body: {
      const int groups = regex_->NumberOfCapturingGroups();
      re2::StringPiece submatches[2];
      if (regex_->Match(result.body, 0, result.body.size(), RE2::UNANCHORED, submatches,
                        groups > 0 ? 2 : 1)) {
        const re2::StringPiece& found = groups > 0 ? submatches[1] : submatches[0];
        return std::string(found.data() == nullptr ? "" : found.data(), found.size());
      }
      missing = fmt::format("the body does not match {}", text_.substr(text_.find('/')));
      return std::nullopt;
    }
    case ExtractionSource::Json: {
      std::string error;
      const boost::json::value* root = context.json(error);
      if (root == nullptr) {
        missing = error;
        return std::nullopt;
      }
      std::string missingPrefix;
      const boost::json::value* value = path_->find(*root, &missingPrefix);
      if (value == nullptr) {
        missing = fmt::format("{} not found", missingPrefix);
        return std::nullopt;
      }
      if (const auto* text = value->if_string()) {
        return std::string(text->data(), text->size());
      }
      if (value->is_null()) {
        missing = fmt::format("{} is null", path_->text());
        return std::nullopt;
      }
      return toJsonText(*value);  // numbers and booleans as people write them: 24.99, true
    }
  }
  missing = "unknown extraction source";
  return std::nullopt;
}

}  // namespace prober
