// Reads the request keys: what one request sends and accepts (URL, method, headers, query, body,
// form, TLS, redirects, auth, protocol, proxy, assertions, expected status) on a single-request
// check, on each step, or under [defaults].
#include "checks/config/request_reader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "checks/config/shared_reads.h"
#include "checks/json_text.h"
#include "checks/probe_result.h"
#include "checks/template.h"
#include "checks/text.h"

namespace prober {

namespace {

const KeySet kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

bool isValidHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool isValidHostName(std::string_view name) {
  return !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

bool hasHeader(const StepContent& content, std::string_view name) {
  return std::any_of(content.headers.begin(), content.headers.end(),
                     [&](const auto& header) { return sameHeaderName(header.first, name); });
}

}  // namespace

StepSpec RequestReader::read(const Layers& layers, const toml::table& own,
                             const std::string& context, const std::set<std::string>& extracted) {
  StepSpec step;
  const toml::node* urlNode = own.get("url");
  if (urlNode == nullptr) {
    urlNode = layers.get("url");
  }
  if (urlNode == nullptr) {
    reader_.error(own, fmt::format("{} has no url", context));
  } else if (auto raw = reader_.string(*urlNode, context + ": url", false)) {
    step.url = reader_.expand(*urlNode, *raw, context + ": url").value_or("");
    if (step.url != *raw) {
      step.writtenUrl = *raw;
    }
    // Credentials in the URL are a secret like a ${VAR} value: scrubbed from what a target
    // echoes (as written, and as the Basic header curl makes of them), never shown.
    if (const auto credential = urlCredential(step.url)) {
      reader_.addSecret(Secret{*credential, std::string(kRedactedCredential)});
      const std::size_t start = step.url.find("://") + 3;
      const std::string userinfo = step.url.substr(start, step.url.find('@', start) - start);
      if (userinfo.find(':') != std::string::npos) {
        reader_.addSecret(Secret{base64(userinfo), std::string(kRedactedCredential)});
      }
      step.writtenUrl = redactUrlCredentials(step.writtenUrl.empty() ? *raw : step.writtenUrl);
    }
    // Placeholders are filled on each run; the URL's shape is checked with a sample value.
    const std::string url = withSampleValues(step.url);
    const auto scheme = url.find("://");
    const std::string lower = url.substr(0, scheme == std::string::npos ? 0 : scheme);
    const std::size_t hostStart = scheme == std::string::npos ? 0 : scheme + 3;
    const bool hasHost = hostStart < url.size() && url[hostStart] != '/' && url[hostStart] != ':' &&
                         url[hostStart] != '?';
    if (!url.empty() && ((lower != "http" && lower != "https") || !hasHost ||
                         url.find_first_of(" \t\r\n") != std::string::npos)) {
      reader_.error(*urlNode, fmt::format("{}: url \"{}\" must be an absolute http:// or https:// "
                                          "URL with a host",
                                          context, step.displayUrl()));
    }
  }
  if (const toml::node* n = layers.get("method")) {
    step.method = reader_.string(*n, context + ": method", false).value_or("GET");
    if (kMethods.count(step.method) == 0) {
      reader_.error(*n, fmt::format("{}: method \"{}\" is not one of GET, HEAD, POST, PUT, PATCH, "
                                    "DELETE, OPTIONS",
                                    context, step.method));
    }
  }
  StepContent content;
  if (const toml::node* n = layers.get("headers")) {
    if (auto headers = reader_.stringTable(*n, context + ": header", true)) {
      for (const auto& [name, value] : *headers) {
        if (!isValidHeaderName(name) || value.find_first_of("\r\n") != std::string::npos) {
          reader_.error(*n, fmt::format("{}: header \"{}\" has an invalid name or a line break in "
                                        "its value",
                                        context, name));
        }
      }
      content.headers = std::move(*headers);
    }
  }
  const toml::node* bodyNode = layers.get("body");
  const toml::node* jsonNode = layers.get("json");
  if (bodyNode != nullptr && jsonNode != nullptr) {
    reader_.error(*jsonNode, fmt::format("{}: give either body or json, not both", context));
  } else if (bodyNode != nullptr) {
    content.body = reader_.string(*bodyNode, context + ": body").value_or("");
  } else if (jsonNode != nullptr && !jsonNode->is_table() && !jsonNode->is_array()) {
    reader_.error(*jsonNode, fmt::format("{}: json must be a table or an array (raw text goes "
                                         "in body)",
                                         context));
  } else if (jsonNode != nullptr) {
    if (auto json = reader_.toJson(*jsonNode, context + ": json")) {
      content.body = toJsonText(*json);
      content.bodyIsJson = true;
      if (!hasHeader(content, "Content-Type")) {
        content.headers.emplace_back("Content-Type", "application/json");
      }
    }
  }
  readOptions(layers, context, extracted, step, content,
              bodyNode != nullptr || jsonNode != nullptr);
  if (const toml::node* n = layers.get("follow_redirects")) {
    step.followRedirects = reader_.boolean(*n, context + ": follow_redirects").value_or(true);
  }
  if (const toml::node* n = layers.get("max_redirects")) {
    step.maxRedirects = static_cast<int>(
        reader_.integer(*n, context + ": max_redirects", 0, 50).value_or(kDefaultMaxRedirects));
  }
  if (const toml::node* n = layers.get("tls_verify")) {
    StepConnection connection = *step.connection;
    connection.tlsVerify = reader_.boolean(*n, context + ": tls_verify").value_or(true);
    step.connection = connections_.share(std::move(connection));
  }
  if (const toml::node* n = layers.get("body_size_limit")) {
    step.bodySizeLimit =
        reader_.byteSize(*n, context + ": body_size_limit").value_or(kDefaultBodySizeLimit);
  }
  if (urlNode != nullptr) {
    checkPlaceholders(*urlNode, step.url, context + ": url", extracted, step);
  }
  if (const toml::node* n = layers.get("headers")) {
    for (const auto& [name, value] : content.headers) {
      checkPlaceholders(*n, value, fmt::format("{}: header {}", context, name), extracted, step);
    }
  }
  if (const toml::node* n = bodyNode != nullptr ? bodyNode : jsonNode) {
    checkPlaceholders(*n, content.body, context + (bodyNode != nullptr ? ": body" : ": json"),
                      extracted, step);
  }
  if (const toml::node* n = layers.get("assert")) {
    readAssertions(*n, context, "assert", step.assertions);
  }
  if (const toml::node* n = layers.get("degraded")) {
    readAssertions(*n, context, "degraded", step.degradedAssertions);
  }
  step.content = contents_.share(std::move(content));
  return step;
}

void RequestReader::readAssertions(const toml::node& node, const std::string& context,
                                   const char* key, std::vector<Assertion>& into) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reader_.error(node, fmt::format("{}: {} must be an array of strings", context, key));
    return;
  }
  for (const toml::node& item : *array) {
    auto text = reader_.string(item, context + ": assertion", false);
    if (!text) {
      continue;
    }
    std::string error;
    if (auto assertion = assertions_.parse(*text, error)) {
      into.push_back(std::move(*assertion));
    } else {
      reader_.error(item, fmt::format("{}: assertion '{}': {}", context, *text, error));
    }
  }
}

// query, form, auth, TLS files and names, protocol and proxy choices.
void RequestReader::readOptions(const Layers& layers, const std::string& context,
                                const std::set<std::string>& extracted, StepSpec& step,
                                StepContent& content, bool hasBody) {
  StepConnection connection = *step.connection;
  if (const toml::node* n = layers.get("query")) {
    if (auto query = reader_.stringTable(*n, context + ": query", true)) {
      content.query = std::move(*query);
      for (const auto& [name, value] : content.query) {
        checkPlaceholders(*n, value, fmt::format("{}: query {}", context, name), extracted, step);
      }
    }
  }
  if (const toml::node* n = layers.get("form")) {
    if (hasBody) {
      reader_.error(*n, fmt::format("{}: give one of body, json and form", context));
    } else if (auto form = reader_.stringTable(*n, context + ": form", true)) {
      content.form = std::move(*form);
      for (const auto& [name, value] : content.form) {
        checkPlaceholders(*n, value, fmt::format("{}: form {}", context, name), extracted, step);
      }
      if (!hasHeader(content, "Content-Type")) {
        content.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      }
    }
  }
  const toml::node* basic = layers.get("basic_auth");
  const toml::node* bearer = layers.get("bearer_token");
  if (basic != nullptr && bearer != nullptr) {
    reader_.error(*bearer, fmt::format("{}: give basic_auth or bearer_token, not both", context));
  }
  if (basic != nullptr) {
    readBasicAuth(*basic, context, connection);
  }
  if (bearer != nullptr) {
    connection.bearerToken = reader_.string(*bearer, context + ": bearer_token").value_or("");
    checkPlaceholders(*bearer, connection.bearerToken, context + ": bearer_token", extracted, step);
    if (connection.bearerToken.empty() && bearer->is_string()) {
      reader_.error(*bearer, fmt::format("{}: bearer_token is empty", context));
    }
  }
  if ((basic != nullptr || bearer != nullptr) && hasHeader(content, "Authorization")) {
    reader_.error(basic != nullptr ? *basic : *bearer,
                  fmt::format("{}: an Authorization header and {} both set the same header",
                              context, basic != nullptr ? "basic_auth" : "bearer_token"));
  }
  for (const auto& [key, field] : {std::pair{"ca_file", &StepConnection::caFile},
                                   std::pair{"client_cert", &StepConnection::clientCert},
                                   std::pair{"client_key", &StepConnection::clientKey}}) {
    if (const toml::node* n = layers.get(key)) {
      connection.*field = readableFile(reader_, *n, fmt::format("{}: {}", context, key));
    }
  }
  const toml::node* cert = layers.get("client_cert");
  const toml::node* key = layers.get("client_key");
  if ((cert == nullptr) != (key == nullptr)) {
    reader_.error(cert != nullptr ? *cert : *key,
                  fmt::format("{}: client_cert and client_key go together", context));
  }
  if (const toml::node* n = layers.get("server_name")) {
    connection.serverName = reader_.string(*n, context + ": server_name", false).value_or("");
    if (!isValidHostName(connection.serverName)) {
      reader_.error(*n, fmt::format("{}: server_name \"{}\" is not a host name", context,
                                    connection.serverName));
    }
  }
  if (const toml::node* n = layers.get("http_version")) {
    const auto text = reader_.string(*n, context + ": http_version", false).value_or("");
    if (text == "1.1") {
      step.httpVersion = 11;
    } else if (text == "2") {
      step.httpVersion = 20;
    } else {
      reader_.error(*n, fmt::format("{}: http_version must be \"1.1\" or \"2\"", context));
    }
  }
  if (const toml::node* n = layers.get("ip_version")) {
    const auto* number = n->as_integer();
    if (number == nullptr || (number->get() != 4 && number->get() != 6)) {
      reader_.error(
          *n, fmt::format("{}: ip_version must be 4 or 6 (leave it out for either)", context));
    } else {
      step.ipVersion = static_cast<int>(number->get());
    }
  }
  if (const toml::node* n = layers.get("proxy")) {
    connection.proxy = reader_.string(*n, context + ": proxy").value_or("");
    const std::string scheme = connection.proxy.substr(0, connection.proxy.find("://"));
    if (!connection.proxy.empty() &&
        (connection.proxy.find("://") == std::string::npos ||
         (scheme != "http" && scheme != "https" && scheme != "socks5" && scheme != "socks5h"))) {
      reader_.error(*n, fmt::format("{}: proxy must be a URL like http://proxy:3128 (http, "
                                    "https, socks5 or socks5h)",
                                    context));
    }
    // The proxy's credentials are a secret too: scrubbed wherever a run's text is shown.
    if (const auto credential = urlCredential(connection.proxy)) {
      reader_.addSecret(Secret{*credential, std::string(kRedactedCredential)});
    }
  }
  if (const toml::node* n = layers.get("expect_status")) {
    readExpectStatus(*n, context, step);
  }
  step.connection = connections_.share(std::move(connection));
}

// `basic_auth = { username = "...", password = "${PASSWORD}" }`
void RequestReader::readBasicAuth(const toml::node& node, const std::string& context,
                                  StepConnection& connection) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader_.error(node, fmt::format("{}: basic_auth must be a table like {{ username = "
                                    "\"u\", password = \"${{PASSWORD}}\" }}",
                                    context));
    return;
  }
  reader_.rejectUnknownKeys(*table, {"username", "password"}, context + " basic_auth");
  const toml::node* user = table->get("username");
  if (user == nullptr) {
    reader_.error(node, fmt::format("{}: basic_auth has no username", context));
    return;
  }
  connection.basicAuth = true;
  connection.basicUser = reader_.string(*user, context + ": basic_auth username").value_or("");
  if (connection.basicUser.find(':') != std::string::npos) {
    reader_.error(*user, fmt::format("{}: a basic_auth username cannot hold a colon", context));
  }
  if (const toml::node* password = table->get("password")) {
    connection.basicPassword =
        reader_.string(*password, context + ": basic_auth password").value_or("");
    // The credentials travel base64-encoded; an echo of the request shows them that way.
    reader_.addSecret(
        {base64(connection.basicUser + ":" + connection.basicPassword), "<basic_auth>"});
  }
}

// `expect_status = 200` or `[200, 201]`: shorthand for a status assertion.
void RequestReader::readExpectStatus(const toml::node& node, const std::string& context,
                                     StepSpec& step) {
  std::vector<std::int64_t> codes;
  if (const auto* one = node.as_integer()) {
    codes.push_back(one->get());
  } else if (const auto* many = node.as_array()) {
    for (const toml::node& item : *many) {
      codes.push_back(item.is_integer() ? item.as_integer()->get() : 0);
    }
  }
  const bool valid = !codes.empty() && std::all_of(codes.begin(), codes.end(), [](auto code) {
    return code >= 100 && code <= 599;
  });
  if (!valid) {
    reader_.error(node, fmt::format("{}: expect_status must be a status code from 100 to 599, "
                                    "or an array of them",
                                    context));
    return;
  }
  std::string text = codes.size() == 1 ? fmt::format("status == {}", codes[0])
                                       : fmt::format("status in [{}]", fmt::join(codes, ", "));
  std::string error;
  if (auto assertion = assertions_.parse(text, error)) {
    step.assertions.insert(step.assertions.begin(), std::move(*assertion));
  }
}

// Every {{name}} in `text` must be a built-in or a value an earlier step extracts.
void RequestReader::checkPlaceholders(const toml::node& node, std::string_view text,
                                      const std::string& context,
                                      const std::set<std::string>& extracted, StepSpec& step) {
  for (const Placeholder& placeholder : placeholdersIn(text)) {
    step.hasPlaceholders = true;
    if (isBuiltinVariable(placeholder.name) || extracted.count(placeholder.name) != 0) {
      continue;
    }
    reader_.error(node, fmt::format("{} uses {{{{{}}}}}, which no earlier step extracts (built-in "
                                    "variables: timestamp, uuid, random_int)",
                                    context, placeholder.name));
  }
}

}  // namespace prober
