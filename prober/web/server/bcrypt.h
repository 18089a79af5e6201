#pragma once
// bcrypt through libxcrypt's crypt_r: the hashes of [web] basic_auth_users, as the Prometheus
// exporters' web config takes them.
#include <string>
#include <string_view>

namespace prober {

// A new "$2b$COST$..." hash of `password` with a random salt; throws std::runtime_error when
// the system cannot make one.
std::string bcryptHash(std::string_view password, int cost = 10);

// Whether `password` hashes to `hash` (compared in constant time). Slow on purpose: tens of
// milliseconds at cost 10.
bool bcryptMatches(std::string_view password, const std::string& hash);

}  // namespace prober
