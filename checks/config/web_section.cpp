// Reads [web]: HTTPS and basic auth on the listener, with the keys of the Prometheus exporters'
// web config (tls_cert_file, tls_key_file, basic_auth_users), and its guards against browsers
// and floods (allowed_hosts, max_connections).
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>

#include "checks/config/sections.h"
#include "checks/config/shared_reads.h"

namespace prober {

namespace {

const KeySet kWebKeys = {"tls_cert_file", "tls_key_file", "basic_auth_users", "allowed_hosts",
                         "max_connections"};

// A bcrypt hash as crypt(3) writes it: $2a$, $2b$ or $2y$, a two-digit cost from 04 to 31, '$',
// and 53 characters of bcrypt's base64 (salt and hash).
bool looksLikeBcrypt(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') {
    return false;
  }
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  return cost >= 4 && cost <= 31 && std::all_of(hash.begin() + 7, hash.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '/';
         });
}

// A DNS name as a Host header carries it, without a port: letters, digits, '-' and '.'.
bool looksLikeHostName(std::string_view name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
         });
}

}  // namespace

WebSettings readWebSection(ConfigReader& reader, const toml::node& node) {
  WebSettings web;
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.error(node, "[web] must be a table");
    return web;
  }
  reader.rejectUnknownKeys(*table, kWebKeys, "[web]");
  const toml::node* cert = table->get("tls_cert_file");
  const toml::node* key = table->get("tls_key_file");
  if (cert != nullptr) {
    web.tlsCertFile = readableFile(reader, *cert, "[web] tls_cert_file");
  }
  if (key != nullptr) {
    web.tlsKeyFile = readableFile(reader, *key, "[web] tls_key_file");
  }
  if ((cert == nullptr) != (key == nullptr)) {
    reader.error(cert != nullptr ? *cert : *key,
                 "[web] needs both tls_cert_file and tls_key_file for HTTPS");
  }
  if (const toml::node* hosts = table->get("allowed_hosts")) {
    if (const toml::array* array = hosts->as_array()) {
      for (const toml::node& item : *array) {
        auto name = reader.string(item, "[web] allowed_hosts", false);
        if (!name) {
          continue;
        }
        std::transform(name->begin(), name->end(), name->begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!looksLikeHostName(*name)) {
          reader.error(item, fmt::format("[web] allowed_hosts: \"{}\" is not a host name (write "
                                         "the name alone, like \"prober.example.com\": no "
                                         "scheme, port or path)",
                                         *name));
          continue;
        }
        web.allowedHosts.push_back(std::move(*name));
      }
    } else {
      reader.error(*hosts, "[web] allowed_hosts must be an array of host names");
    }
  }
  if (const toml::node* connections = table->get("max_connections")) {
    if (auto value = reader.integer(*connections, "[web] max_connections", 1, 1'000'000)) {
      web.maxConnections = static_cast<int>(*value);
    }
  }
  const toml::node* users = table->get("basic_auth_users");
  if (users == nullptr) {
    return web;
  }
  const toml::table* userTable = users->as_table();
  if (userTable == nullptr) {
    reader.error(*users, "[web] basic_auth_users must be a table of NAME = \"BCRYPT-HASH\"");
    return web;
  }
  for (auto&& [name, value] : *userTable) {
    const std::string user(name.str());
    auto hash = reader.string(value, fmt::format("[web] basic_auth_users {}", user), false);
    if (!hash) {
      continue;
    }
    if (user.find(':') != std::string::npos) {
      reader.error(
          reader.where(name.source()),
          fmt::format("[web] basic_auth_users: user name \"{}\" cannot contain ':'", user));
      continue;
    }
    if (!looksLikeBcrypt(*hash)) {
      reader.error(value, fmt::format("[web] basic_auth_users {}: not a bcrypt hash (60 "
                                      "characters starting $2b$, $2a$ or $2y$; make one with "
                                      "`prober hash-password`)",
                                      user));
      continue;
    }
    web.basicAuthUsers[user] = *hash;
  }
  return web;
}

}  // namespace prober
