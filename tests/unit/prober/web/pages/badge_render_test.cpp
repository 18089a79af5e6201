// badgeSvg on fixed words: both texts readable in the image and its title, sized by their
// characters, escaped, made valid UTF-8 and cut to 64 characters between characters.
#include <doctest/doctest.h>

#include <string>

#include "checks/text.h"
#include "prober/web/pages/badge.h"
#include "tests/unit/prober/web/pages/render_fixtures.h"

using namespace prober::render_test;

TEST_CASE("render: a badge says its label and value in text, title and aria-label") {
  const std::string svg = prober::badgeSvg("status", "passing", "#1e7b34");
  // 7 px a character and 10 px a side: 6 characters make 52 px, 7 make 59.
  CHECK(has(svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"111\" height=\"20\" "
            "role=\"img\" aria-label=\"status: passing\"><title>status: passing</title>"));
  CHECK(has(svg, "<rect width=\"52\" height=\"20\" fill=\"#555\"/>"));
  CHECK(has(svg, "<rect x=\"52\" width=\"59\" height=\"20\" fill=\"#1e7b34\"/>"));
  CHECK(has(svg, "<text x=\"26\" y=\"14\">status</text>"));
  CHECK(has(svg, "<text x=\"81\" y=\"14\">passing</text>"));
  CHECK(occurrences(svg, "<svg") == 1);
  CHECK(occurrences(svg, "</svg>") == 1);
  CHECK(occurrences(svg, "<text") == occurrences(svg, "</text>"));
}

TEST_CASE("render: a badge escapes its texts and its colour") {
  const std::string svg =
      prober::badgeSvg("a<b>&\"c'", "</text><script>x</script>", "red\" onload=\"alert(1)");
  CHECK(has(svg,
            "aria-label=\"a&lt;b&gt;&amp;&quot;c&#39;: &lt;/text&gt;&lt;script&gt;x&lt;/"
            "script&gt;\""));
  CHECK(has(svg, ">a&lt;b&gt;&amp;&quot;c&#39;</text>"));
  CHECK(has(svg, "fill=\"red&quot; onload=&quot;alert(1)\"/>"));
  CHECK_FALSE(has(svg, "<script"));
  CHECK_FALSE(has(svg, "onload=\""));
  CHECK(occurrences(svg, "<text") == 2);
  CHECK(occurrences(svg, "</text>") == 2);
  // Sized by the characters shown, not by their escapes: 8 and 25 characters.
  CHECK(has(svg, "width=\"" + std::to_string(10 + 7 * 8 + 10 + 7 * 25) + "\""));
}

TEST_CASE("render: a badge makes its texts valid UTF-8 and cuts them to 64 characters") {
  // 100 two-byte characters: cut to 61 and "...", never inside a character.
  std::string accents;
  for (int i = 0; i < 100; ++i) {
    accents += "é";
  }
  std::string cut;
  for (int i = 0; i < 61; ++i) {
    cut += "é";
  }
  const std::string svg = prober::badgeSvg("uptime \xff\xfe", accents, "#1e7b34");
  CHECK(prober::isValidUtf8(svg));
  CHECK(has(svg, ">uptime \xEF\xBF\xBD\xEF\xBF\xBD</text>"));
  CHECK(has(svg, ">" + cut + "...</text>"));
  CHECK_FALSE(has(svg, cut + "é"));
  CHECK(has(svg, "<rect x=\"73\" width=\"458\""));  // 9 characters, then 64

  // 64 characters fit as they are, 65 are cut, each text showing three times (aria-label, title
  // and text). The cut counts characters before escaping, so "&amp;" costs one, not five.
  const std::string fits(64, '&');
  CHECK(occurrences(prober::badgeSvg("x", fits, "#555"), "&amp;") == 3 * 64);
  const std::string over(65, '&');
  const std::string overSvg = prober::badgeSvg("x", over, "#555");
  CHECK(occurrences(overSvg, "&amp;") == 3 * 61);
  CHECK(occurrences(overSvg, "&amp;...") == 3);
}
