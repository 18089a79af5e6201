#include "prober/web/server/bcrypt.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>
#include <stdexcept>

namespace prober {

std::string bcryptHash(std::string_view password, int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // No random bytes given: libxcrypt takes them from the system's source.
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    throw std::runtime_error("cannot make a bcrypt salt");
  }
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* hash = crypt_r(phrase.c_str(), setting, data.get());
  if (hash == nullptr || hash[0] == '*') {
    throw std::runtime_error("bcrypt is not available");
  }
  return hash;
}

bool bcryptMatches(std::string_view password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // ~32 KB: not on the stack
  const std::string phrase(password);
  const char* computed = crypt_r(phrase.c_str(), hash.c_str(), data.get());
  if (computed == nullptr || computed[0] == '*') {
    return false;  // "*0" / "*1": the hash is not one crypt knows
  }
  const std::string_view result(computed);
  return result.size() == hash.size() &&
         CRYPTO_memcmp(result.data(), hash.data(), hash.size()) == 0;
}

}  // namespace prober
