#include "prober/engine/http_request.h"

#include "checks/template.h"

namespace prober {

HttpRequest requestFor(const StepSpec& step, Millis timeout) {
  HttpRequest request;
  request.method = step.method;
  request.url = step.url;
  if (!step.query.empty()) {
    request.url += (step.url.find('?') == std::string::npos ? '?' : '&') + encodePairs(step.query);
  }
  request.headers = step.headers;
  request.body = step.form.empty() ? step.body : encodePairs(step.form);
  request.timeout = timeout;
  request.followRedirects = step.followRedirects;
  request.maxRedirects = step.maxRedirects;
  request.bodySizeLimit = step.bodySizeLimit;
  request.tlsVerify = step.tlsVerify;
  request.caFile = step.caFile;
  request.clientCert = step.clientCert;
  request.clientKey = step.clientKey;
  request.serverName = step.serverName;
  if (step.basicAuth) {
    request.basicAuth.emplace(step.basicUser, step.basicPassword);
  }
  request.bearerToken = step.bearerToken;
  request.httpVersion = step.httpVersion;
  request.ipVersion = step.ipVersion;
  request.proxy = step.proxy;
  return request;
}

}  // namespace prober
