#pragma once
// `extract = { token = "json $.token" }`: a value read from one step's response for the
// {{placeholders}} of later steps. Compiled once at load, like assertions.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "checks/assertion.h"

namespace re2 {
class RE2;
}

namespace prober {

enum class ExtractionSource { Status, Header, Body, Json };

class Extraction {
 public:
  // `status`, `header NAME`, `body /REGEX/` (its first capture group, or the whole match when
  // it has none) or `json PATH`. On error returns nullopt with `error` set.
  static std::optional<Extraction> parse(std::string variable, std::string_view text,
                                         std::string& error);

  // The value from this response, or nullopt with `missing` saying what was not there
  // ("no Location header", "$.token not found", "body does not match /id=(\d+)/").
  std::optional<std::string> apply(EvaluationContext& context, std::string& missing) const;

  const std::string& variable() const { return variable_; }
  const std::string& text() const { return text_; }
  ExtractionSource source() const { return source_; }
  bool operator==(const Extraction& other) const {
    return variable_ == other.variable_ && text_ == other.text_;
  }

 private:
  std::string variable_;
  std::string text_;
  ExtractionSource source_ = ExtractionSource::Status;
  std::string headerName_;
  std::shared_ptr<const JsonPath> path_;
  std::shared_ptr<const re2::RE2> regex_;
};

}  // namespace prober
