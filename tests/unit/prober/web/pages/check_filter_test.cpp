// The status page's ?q= filter: plain words in name, URL and label values; state:WORD; and
// LABEL:VALUE, every word required, case ignored.
#include <doctest/doctest.h>

#include "prober/web/pages/check_filter.h"

using prober::CheckFilter;
using prober::ShownState;

namespace {

prober::CheckSpec spec(const std::string& name, const std::string& url,
                       std::map<std::string, std::string> labels) {
  prober::CheckSpec check;
  check.name = name;
  prober::StepSpec step;
  step.url = url;
  check.steps.push_back(step);
  check.labels = std::move(labels);
  return check;
}

}  // namespace

TEST_CASE("words match names, URLs and label values; keys match states and labels") {
  const auto shop = spec("Checkout-API", "https://shop.example.com/${TOKEN}/health",
                         {{"team", "Payments"}, {"env", "prod"}});
  CHECK(CheckFilter("").matches(shop, ShownState::Passing));
  CHECK(CheckFilter("").empty());
  CHECK(CheckFilter("checkout").matches(shop, ShownState::Passing));
  CHECK(CheckFilter("SHOP.example").matches(shop, ShownState::Passing));
  CHECK(CheckFilter("payments").matches(shop, ShownState::Passing));
  CHECK(CheckFilter("team:pay").matches(shop, ShownState::Passing));
  CHECK_FALSE(CheckFilter("team:search").matches(shop, ShownState::Passing));
  CHECK_FALSE(CheckFilter("owner:pay").matches(shop, ShownState::Passing));
  CHECK(CheckFilter("state:failing").matches(shop, ShownState::Failing));
  CHECK_FALSE(CheckFilter("state:failing").matches(shop, ShownState::Silenced));
  CHECK(CheckFilter("state:silenced env:prod").matches(shop, ShownState::Silenced));
  CHECK_FALSE(CheckFilter("checkout  search").matches(shop, ShownState::Passing));
  CHECK(CheckFilter(":colon").matches(spec("a:colon", "", {}), ShownState::Passing));
}
