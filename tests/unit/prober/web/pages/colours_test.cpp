// Every colour the pages draw with passes WCAG's contrast rule against the white page: 3:1 for
// graphics (chart marks, cells), 4.5:1 for the state colours that carry white text.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "prober/web/pages/charts.h"
#include "prober/web/pages/page_parts.h"

namespace {

// WCAG 2 relative luminance of "#rrggbb".
double luminance(std::string_view hex) {
  REQUIRE(hex.size() == 7);
  double channels[3];
  for (int i = 0; i < 3; ++i) {
    const double value = std::stoi(std::string(hex.substr(1 + 2 * i, 2)), nullptr, 16) / 255.0;
    channels[i] = value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

double contrastWithWhite(std::string_view hex) {
  return 1.05 / (luminance(hex) + 0.05);
}

}  // namespace

TEST_CASE("state colours carry white text (4.5:1) and stand out as graphics") {
  using prober::ShownState;
  for (ShownState state : {ShownState::Pending, ShownState::Passing, ShownState::Degraded,
                           ShownState::Failing, ShownState::Silenced, ShownState::Suppressed}) {
    INFO(prober::stateWord(state), " ", prober::stateColour(state));
    CHECK(contrastWithWhite(prober::stateColour(state)) >= 4.5);
  }
}

TEST_CASE("phase colours and availability cells are at least 3:1 against the page") {
  for (std::size_t phase = 0; phase < 5; ++phase) {
    INFO(phase, " ", prober::phaseColour(phase));
    CHECK(contrastWithWhite(prober::phaseColour(phase)) >= 3);
  }
  for (const prober::RunCount count :
       {prober::RunCount{0, 100, 100}, prober::RunCount{0, 100, 99}, prober::RunCount{0, 100, 80},
        prober::RunCount{0, 100, 10}}) {
    INFO(count.passed, " of ", count.runs, " ", prober::failureShareColour(count));
    CHECK(contrastWithWhite(prober::failureShareColour(count)) >= 3);
  }
}
