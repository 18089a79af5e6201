// Text from targets is data (SPEC §9): repair, cutting between characters, numbers as people
// write them, and JSON text that is always valid.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "checks/json_text.h"
#include "checks/number_format.h"
#include "checks/text.h"

using prober::countCharacters;
using prober::cutToCharacters;
using prober::formatNumber;
using prober::isValidUtf8;
using prober::toJsonText;
using prober::validUtf8;

namespace {
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD
}

TEST_CASE("invalid UTF-8 sequences become U+FFFD; valid text is unchanged") {
  CHECK(validUtf8("hello") == "hello");
  CHECK(validUtf8("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(validUtf8("hello \xFF\xFE world") == "hello " + kReplacement + kReplacement + " world");
  CHECK(validUtf8("cut \xE2\x82") == "cut " + kReplacement);            // sequence cut short
  CHECK(validUtf8("\xC0\xAF") == kReplacement);  // an overlong "/": one replacement
  CHECK(isValidUtf8(validUtf8("\xED\xA0\x80")));                           // a surrogate
  CHECK(isValidUtf8(validUtf8("\xF4\x90\x80\x80")));                       // past U+10FFFF
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));
  CHECK(validUtf8(std::string("a\0b", 3)) == std::string("a\0b", 3));      // NUL is valid
}

TEST_CASE("cutting counts characters, not bytes, and never splits one") {
  const std::string e40 = [] {
    std::string s;
    for (int i = 0; i < 40; ++i) {
      s += "\xC3\xA9";
    }
    return s;
  }();
  CHECK(countCharacters(e40) == 40);
  CHECK(cutToCharacters(e40, 40) == e40);
  const std::string cut = cutToCharacters(e40, 10);
  CHECK(countCharacters(cut) == 10);
  CHECK(cut.substr(cut.size() - 3) == "...");
  CHECK(isValidUtf8(cut));
  CHECK(cutToCharacters("abc", 2, "...") == "..");

}

TEST_CASE("numbers read as people write them") {
  CHECK(formatNumber(10.0) == "10");
  CHECK(formatNumber(24.99) == "24.99");
  CHECK(formatNumber(41.7) == "41.7");
  CHECK(formatNumber(0.000968495) == "0.000968495");
  CHECK(formatNumber(-3.5) == "-3.5");
  CHECK(formatNumber(-0.0) == "0");
  CHECK(formatNumber(1e21) == "1e+21");
  CHECK(formatNumber(123456789.0) == "123456789");
  CHECK(formatNumber(0.1 + 0.2) == "0.30000000000000004");
  CHECK(formatNumber(41.73456, 4) == "41.73");
  CHECK(formatNumber(0.000968495, 3) == "0.000968");
  CHECK(formatNumber(999.96, 4) == "1000");
  CHECK(formatNumber(0.0 / 0.0) == "NaN");
}

TEST_CASE("JSON text: plain numbers, escaped controls, valid strings") {
  const boost::json::value value = {{"price", 24.99},
                                    {"count", 10},
                                    {"ratio", 1e1},
                                    {"tiny", 9.68495e-4},
                                    {"text", "line\nbreak \"quoted\" \x01"},
                                    {"bad", "hello \xFF world"},
                                    {"list", {1, 2.5, nullptr, true}}};
  const std::string text = toJsonText(value);
  CHECK(text ==
        "{\"price\":24.99,\"count\":10,\"ratio\":10,\"tiny\":0.000968495,"
        "\"text\":\"line\\nbreak \\\"quoted\\\" \\u0001\",\"bad\":\"hello " + kReplacement +
            " world\",\"list\":[1,2.5,null,true]}");
  CHECK(isValidUtf8(text));
  // It reads back as the same numbers.
  const auto back = boost::json::parse(text);
  CHECK(back.at("price").as_double() == 24.99);
  CHECK(back.at("tiny").as_double() == 9.68495e-4);
  CHECK(toJsonText(boost::json::value(std::numeric_limits<double>::infinity())) == "null");
}

TEST_CASE("escapeCharacters replaces exactly the characters its table names") {
  CHECK(prober::escapeCharacters("a<b>&\"c'", {{'<', "&lt;"}, {'&', "&amp;"}}) ==
        "a&lt;b>&amp;\"c'");
  CHECK(prober::escapeCharacters("", {{'<', "&lt;"}}).empty());
  CHECK(prober::escapeCharacters("line\nnext", {{'\n', "\\n"}}) == "line\\nnext");
  CHECK(prober::escapeCharacters("é<", {{'<', "&lt;"}}) == "é&lt;");  // UTF-8 passes through
}
