#include "prober/web/server/basic_auth.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>

#include "prober/web/server/bcrypt.h"

namespace prober {

namespace {

// Remembered credentials at most; past that the set starts afresh (a client trying passwords
// only ever fills it with ones that matched, so this bounds memory, not security).
constexpr std::size_t kRememberedLimit = 1024;

// A hash that stands in for an unknown user (its cost, the two digits after "$2b$", is set to
// the users' highest), so a wrong name costs the same time as a wrong password and does not
// tell which names exist.
const char* const kStandInHash = "$2b$10$CwTycUXWue0Thq9StjUM0uGAPS7UozKic8WKZt.EuyeNqkR/GXSUO";

// The cost of a hash the [web] reader accepted ("$2b$12$..." -> 12).
int costOf(const std::string& hash) {
  return hash.size() > 5 ? (hash[4] - '0') * 10 + (hash[5] - '0') : 10;
}

std::string standInFor(const std::map<std::string, std::string>& users) {
  int cost = 4;  // bcrypt's lowest
  for (const auto& [user, hash] : users) {
    cost = std::max(cost, costOf(hash));
  }
  std::string hash = kStandInHash;
  hash[4] = static_cast<char>('0' + cost / 10);
  hash[5] = static_cast<char>('0' + cost % 10);
  return hash;
}

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

BasicAuth::BasicAuth(PostToLoop post, Limits limits)
    : post_(std::move(post)),
      limits_(limits),
      standInHash_(kStandInHash),
      worker_(std::make_unique<Worker>()) {}

BasicAuth::~BasicAuth() {
  *alive_ = false;
  worker_->pool.join();  // bcrypt runs still going finish; their answers are dropped
}

void BasicAuth::setUsers(std::map<std::string, std::string> users) {
  if (users != users_) {
    matched_.clear();
    standInHash_ = standInFor(users);
  }
  users_ = std::move(users);
}

void BasicAuth::check(const ServerRequest& request, std::function<void(AuthDecision)> decided) {
  std::string user;
  std::string password;
  if (!parseBasicCredentials(request.header("authorization"), user, password)) {
    return decided(AuthDecision::Refused);
  }
  check(std::move(user), std::move(password), std::move(decided));
}

void BasicAuth::check(std::string user, std::string password,
                      std::function<void(AuthDecision)> decided) {
  const std::string remembered = sha256(user + ":" + password);
  if (matched_.count(remembered) != 0) {
    return decided(AuthDecision::Allowed);
  }
  if (waiting_ >= limits_.maxWaiting) {
    return decided(AuthDecision::Busy);
  }
  const auto known = users_.find(user);
  // What the answer is worth: the hash this check ran against (none for an unknown user).
  std::optional<std::string> hash;
  if (known != users_.end()) {
    hash = known->second;
  }
  ++waiting_;
  const auto asked = std::chrono::steady_clock::now();
  boost::asio::post(
      worker_->pool,
      [this, alive = alive_, post = post_, user = std::move(user), password = std::move(password),
       hash, against = hash.value_or(standInHash_), remembered, asked, deadline = limits_.deadline,
       decided = std::move(decided)]() mutable {
        // A check that waited past its deadline is not worth its bcrypt: the queue is behind.
        const bool late = std::chrono::steady_clock::now() - asked >= deadline;
        const bool matches = !late && bcryptMatches(password, against) && hash.has_value();
        post([this, alive, late, matches, user = std::move(user), password = std::move(password),
              hash = std::move(hash), remembered, decided = std::move(decided)]() mutable {
          if (!*alive) {
            return;
          }
          --waiting_;
          if (late) {
            return decided(AuthDecision::Busy);
          }
          const auto now = users_.find(user);
          const std::optional<std::string> current =
              now == users_.end() ? std::nullopt : std::optional<std::string>(now->second);
          if (current != hash) {
            // A reload removed the user or changed its hash while the check waited: what bcrypt
            // said is about users that are gone.
            return check(std::move(user), std::move(password), std::move(decided));
          }
          if (matches) {
            if (matched_.size() >= kRememberedLimit) {
              matched_.clear();
            }
            matched_.insert(remembered);
          }
          decided(matches ? AuthDecision::Allowed : AuthDecision::Refused);
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

ServerResponse BasicAuth::busy() {
  ServerResponse response{503, "text/plain; charset=utf-8",
                          "busy: too many requests are waiting for their password to be checked; "
                          "try again shortly\n",
                          ""};
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace prober
