#pragma once
// Badges for READMEs and wikis: GET /badge/NAME/status.svg ("passing", "failing", ...) and
// GET /badge/NAME/uptime/7d.svg (also 24h, 30d): a label on grey, the value on its state's
// colour, the words readable without the colour.
#include <string>
#include <string_view>

namespace prober {

// `colour` is a CSS colour; both texts are escaped here and cut to 64 characters.
std::string badgeSvg(std::string_view label, std::string_view value, std::string_view colour);

}  // namespace prober
