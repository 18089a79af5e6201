// A step becomes the request the engine sends in one place: the query appended and encoded, a
// form encoded into the body, the options carried over.
#include <doctest/doctest.h>

#include "prober/engine/http_request.h"

TEST_CASE("requestFor appends the query, encodes a form and carries every option") {
  prober::StepSpec step;
  step.method = "POST";
  step.url = "http://api.test/search?v=1";
  prober::StepContent content;
  content.query = {{"q", "a b&c"}, {"page", "2"}};
  content.form = {{"user", "ann"}, {"note", "x=y"}};
  content.headers = {{"Accept", "application/json"}};
  step.content = prober::SharedValue<prober::StepContent>(content);
  step.followRedirects = false;
  step.maxRedirects = 3;
  step.bodySizeLimit = 1024;
  prober::StepConnection connection;
  connection.tlsVerify = false;
  connection.serverName = "api.internal";
  connection.basicAuth = true;
  connection.basicUser = "ann";
  connection.basicPassword = "s3cret";
  step.connection = prober::SharedValue<prober::StepConnection>(connection);
  step.httpVersion = 11;
  step.ipVersion = 4;
  const prober::HttpRequest request = prober::requestFor(step, prober::Millis(2500));
  CHECK(request.method == "POST");
  CHECK(request.url == "http://api.test/search?v=1&q=a%20b%26c&page=2");
  CHECK(request.body == "user=ann&note=x%3Dy");
  CHECK(request.headers == content.headers);
  CHECK(request.timeout == prober::Millis(2500));
  CHECK_FALSE(request.followRedirects);
  CHECK(request.maxRedirects == 3);
  CHECK(request.bodySizeLimit == 1024);
  CHECK_FALSE(request.tlsVerify);
  CHECK(request.serverName == "api.internal");
  REQUIRE(request.basicAuth.has_value());
  CHECK(request.basicAuth->first == "ann");
  CHECK(request.basicAuth->second == "s3cret");
  CHECK(request.httpVersion == 11);
  CHECK(request.ipVersion == 4);
}

TEST_CASE("a step without query or form sends its url and body as they are") {
  prober::StepSpec step;
  step.url = "http://api.test/health";
  prober::StepContent content;
  content.body = "{\"ping\":1}";
  step.content = prober::SharedValue<prober::StepContent>(content);
  const prober::HttpRequest request = prober::requestFor(step, prober::Millis(1000));
  CHECK(request.method == "GET");
  CHECK(request.url == "http://api.test/health");
  CHECK(request.body == "{\"ping\":1}");
  CHECK_FALSE(request.basicAuth.has_value());
}
