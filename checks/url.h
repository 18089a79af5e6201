#pragma once
// Small URL helpers shared by failure messages and notifications.
#include <string>

namespace prober {

// The host of a URL: "https://user:pw@api.example.com:8443/x" -> "api.example.com",
// "http://[::1]:80/" -> "::1". Userinfo never leaves the process.
std::string hostOfUrl(const std::string& url);

}  // namespace prober
