#include "prober/web/pages/badge.h"

#include <fmt/format.h>

#include "checks/text.h"
#include "prober/web/pages/page_parts.h"

namespace prober {

namespace {

constexpr std::size_t kMaxCharacters = 64;

// Width of text in 11 px DejaVu Sans, near enough: 7 px a character, 10 px of padding a side.
int textWidth(std::string_view text) {
  return 10 + 7 * static_cast<int>(countCharacters(text));
}

}  // namespace

std::string badgeSvg(std::string_view label, std::string_view value, std::string_view colour) {
  const std::string left = cutToCharacters(validUtf8(label), kMaxCharacters);
  const std::string right = cutToCharacters(validUtf8(value), kMaxCharacters);
  const int leftWidth = textWidth(left);
  const int rightWidth = textWidth(right);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"20\" role=\"img\" "
      "aria-label=\"{1}: {2}\"><title>{1}: {2}</title>"
      "<rect width=\"{3}\" height=\"20\" fill=\"#555\"/>"
      "<rect x=\"{3}\" width=\"{4}\" height=\"20\" fill=\"{5}\"/>"
      "<g fill=\"#fff\" font-family=\"DejaVu Sans,Verdana,sans-serif\" font-size=\"11\" "
      "text-anchor=\"middle\"><text x=\"{6}\" y=\"14\">{1}</text><text x=\"{7}\" y=\"14\">{2}"
      "</text></g></svg>\n",
      leftWidth + rightWidth, escapeHtml(left), escapeHtml(right), leftWidth, rightWidth,
      escapeHtml(colour), leftWidth / 2, leftWidth + rightWidth / 2);
}

}  // namespace prober
