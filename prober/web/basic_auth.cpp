#include "prober/web/basic_auth.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "prober/web/bcrypt.h"

namespace prober {

namespace {

// Remembered credentials at most; past that the set starts afresh (a client trying passwords
// only ever fills it with ones that matched, so this bounds memory, not security).
constexpr std::size_t kRememberedLimit = 1024;

// A hash that stands in for an unknown user, so a wrong name costs the same time as a wrong
// password and does not tell which names exist.
const char* const kStandInHash = "$2b$10$CwTycUXWue0Thq9StjUM0uGAPS7UozKic8WKZt.EuyeNqkR/GXSUO";

std::string sha256(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace

struct BasicAuth::Worker {
  boost::asio::thread_pool pool{1};
};

bool parseBasicCredentials(const std::string& header, std::string& user, std::string& password) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() <= kScheme.size() || header.compare(0, kScheme.size(), kScheme) != 0) {
    return false;
  }
  const std::string encoded = header.substr(kScheme.size());
  if (encoded.size() % 4 != 0 || encoded.size() > 4096) {
    return false;
  }
  std::string decoded(encoded.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                     reinterpret_cast<const unsigned char*>(encoded.data()),
                                     static_cast<int>(encoded.size()));
  if (length < 0) {
    return false;
  }
  // EVP_DecodeBlock counts the padding's bytes as zeros: take them off.
  std::size_t padding = 0;
  for (auto it = encoded.rbegin(); it != encoded.rend() && *it == '=' && padding < 2; ++it) {
    ++padding;
  }
  decoded.resize(static_cast<std::size_t>(length) - padding);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) {
    return false;
  }
  user = decoded.substr(0, colon);
  password = decoded.substr(colon + 1);
  return true;
}

BasicAuth::BasicAuth(PostToLoop post)
    : post_(std::move(post)), worker_(std::make_unique<Worker>()) {}

BasicAuth::~BasicAuth() {
  *alive_ = false;
  worker_->pool.join();  // bcrypt runs still going finish; their answers are dropped
}

void BasicAuth::setUsers(std::map<std::string, std::string> users) {
  if (users != users_) {
    matched_.clear();
  }
  users_ = std::move(users);
}

void BasicAuth::check(const ServerRequest& request, std::function<void(bool)> decided) {
  std::string user;
  std::string password;
  if (!parseBasicCredentials(request.header("authorization"), user, password)) {
    return decided(false);
  }
  const std::string remembered = sha256(user + ":" + password);
  if (matched_.count(remembered) != 0) {
    return decided(true);
  }
  const auto known = users_.find(user);
  const bool userKnown = known != users_.end();
  const std::string hash = userKnown ? known->second : kStandInHash;
  boost::asio::post(worker_->pool, [this, alive = alive_, post = post_, password, hash, userKnown,
                                    remembered, decided = std::move(decided)]() mutable {
    const bool ok = bcryptMatches(password, hash) && userKnown;
    post([this, alive, ok, remembered, decided = std::move(decided)] {
      if (!*alive) {
        return;
      }
      if (ok) {
        if (matched_.size() >= kRememberedLimit) {
          matched_.clear();
        }
        matched_.insert(remembered);
      }
      decided(ok);
    });
  });
}

ServerResponse BasicAuth::challenge() {
  ServerResponse response{401, "text/plain; charset=utf-8",
                          "unauthorized: this endpoint needs a user ([web] basic_auth_users)\n",
                          ""};
  response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"prober\", charset=\"UTF-8\"");
  return response;
}

}  // namespace prober
