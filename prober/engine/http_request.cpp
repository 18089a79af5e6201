#include "prober/engine/http_request.h"

#include "checks/template.h"

namespace prober {

HttpRequest requestFor(const StepSpec& step, Millis timeout) {
  HttpRequest request;
  request.method = step.method;
  request.url = step.url;
  const StepContent& content = *step.content;
  if (!content.query.empty()) {
    request.url +=
        (step.url.find('?') == std::string::npos ? '?' : '&') + encodePairs(content.query);
  }
  request.headers = content.headers;
  request.body = content.form.empty() ? content.body : encodePairs(content.form);
  request.timeout = timeout;
  request.followRedirects = step.followRedirects;
  request.maxRedirects = step.maxRedirects;
  request.bodySizeLimit = step.bodySizeLimit;
  request.keepHeaders = readsHeaders(step);
  const StepConnection& connection = *step.connection;
  request.tlsVerify = connection.tlsVerify;
  request.caFile = connection.caFile;
  request.clientCert = connection.clientCert;
  request.clientKey = connection.clientKey;
  request.serverName = connection.serverName;
  if (connection.basicAuth) {
    request.basicAuth.emplace(connection.basicUser, connection.basicPassword);
  }
  request.bearerToken = connection.bearerToken;
  request.httpVersion = step.httpVersion;
  request.ipVersion = step.ipVersion;
  request.proxy = connection.proxy;
  return request;
}

}  // namespace prober
