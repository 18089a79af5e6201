#include "tests/support/target_server.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace prober::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// GET /switch answers with this status; GET /switch/set?status=N changes it. Lets a test make
// a check fail and recover without touching the config.
std::atomic<int> switchStatus{200};
// GET /switches/NAME answers with NAME's status (200 until set); GET /switches/NAME/set?status=N
// changes it, and status=N,M,... makes it answer each in turn (a flapping backend): several
// checks that fail and recover each on its own.
struct NamedSwitch {
  std::vector<int> statuses{200};
  std::size_t next = 0;
};
std::mutex switchesMutex;
std::map<std::string, NamedSwitch> namedSwitches;

// A login flow: POST /login with the password "s3cret" in its body hands out a new token
// (in the JSON body and as a Set-Cookie-like X-Session header); GET /me answers only the
// bearer of the newest token.
std::mutex tokenMutex;
std::string issuedToken;
int tokensIssued = 0;

int numberAfter(std::string_view text, std::string_view prefix) {
  int value = 0;
  const auto rest = text.substr(prefix.size());
  std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return value;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(tcp::socket socket)
      : stream_(std::move(socket)), timer_(stream_.get_executor()) {}
  void start() {
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) {
                         self->answer();
                       }
                     });
  }

 private:
  void answer() {
    const std::string full(request_.target());
    if (full.rfind("http://", 0) == 0) {
      // An absolute URL is asked of a forward proxy: answer as one that reached the origin,
      // without going anywhere (tests never leave 127.0.0.1).
      response_.version(11);
      response_.keep_alive(false);
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "text/plain");
      response_.body() = "proxied " + std::string(request_.method_string()) + " " + full;
      send();
      return;
    }
    if (full.rfind("/echo/request", 0) == 0) {
      echoRequest(full);
      send();
      return;
    }
    // Routes match on the path; /slow and /bytes read their parameter from the query.
    const std::string target = full.rfind("/slow?", 0) == 0 || full.rfind("/bytes?", 0) == 0 ||
                                       full.rfind("/switch/set?", 0) == 0 ||
                                       full.rfind("/switches/", 0) == 0
                                   ? full
                                   : full.substr(0, full.find('?'));
    response_.version(11);
    response_.keep_alive(false);
    response_.result(http::status::ok);
    response_.set(http::field::content_type, "text/plain");
    if (target == "/ok") {
      response_.set(http::field::content_type, "application/json");
      response_.body() = R"({"status":"UP","items":[{"id":7},{"id":8}],"name with space":true})";
    } else if (target.rfind("/status/", 0) == 0) {
      response_.result(static_cast<http::status>(numberAfter(target, "/status/")));
      response_.body() = "status " + target.substr(8);
    } else if (target.rfind("/slow?ms=", 0) == 0) {
      timer_.expires_after(std::chrono::milliseconds(numberAfter(target, "/slow?ms=")));
      timer_.async_wait([self = shared_from_this()](beast::error_code) {
        self->response_.body() = "slow";
        self->send();
      });
      return;
    } else if (target.rfind("/bytes?n=", 0) == 0) {
      response_.body() =
          std::string(static_cast<std::size_t>(numberAfter(target, "/bytes?n=")), 'x');
    } else if (target.rfind("/redirect/", 0) == 0) {
      const int left = numberAfter(target, "/redirect/");
      response_.result(http::status::found);
      response_.set(http::field::location,
                    left <= 1 ? std::string("/ok") : "/redirect/" + std::to_string(left - 1));
    } else if (target == "/loop") {
      response_.result(http::status::found);
      response_.set(http::field::location, "/loop");
    } else if (target == "/switch") {
      response_.result(static_cast<http::status>(switchStatus.load()));
      response_.body() = "switch " + std::to_string(switchStatus.load());
    } else if (target.rfind("/switch/set?status=", 0) == 0) {
      switchStatus = numberAfter(target, "/switch/set?status=");
      response_.body() = "set";
    } else if (target.rfind("/switches/", 0) == 0) {
      namedSwitch(target.substr(10));
    } else if (target == "/garbage") {
      sendRaw("this is not HTTP at all\r\n\r\n");
      return;
    } else if (target.rfind("/hostile/", 0) == 0) {
      hostile(target.substr(9));
      return;
    } else if (target == "/close") {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    } else if (target == "/login") {
      login();
    } else if (target == "/me") {
      const std::string expected = [] {
        std::lock_guard lock(tokenMutex);
        return "Bearer " + issuedToken;
      }();
      const auto given = request_[http::field::authorization];
      if (expected != "Bearer " && given == expected) {
        response_.set(http::field::content_type, "application/json");
        response_.body() = R"({"user":"synthetic","id":42})";
      } else {
        response_.result(http::status::unauthorized);
        response_.body() = R"({"error":"bad token"})";
      }
    } else if (target.rfind("/items/", 0) == 0) {
      // Echoes the id from the path, so a test can see a value it extracted come back.
      response_.set(http::field::content_type, "application/json");
      response_.body() = R"({"id":")" + target.substr(7) + R"("})";
    } else if (target == "/echo") {
      response_.body() = std::string(request_.method_string()) + " " + request_.body();
    } else {
      response_.result(http::status::not_found);
      response_.body() = "not found";
    }
    send();
  }

  // What arrived, as JSON: method, target (path and query), HTTP version, headers (names in
  // lower case), body.
  // NAME or NAME/set?status=N (see namedSwitches).
  void namedSwitch(const std::string& rest) {
    const std::lock_guard<std::mutex> lock(switchesMutex);
    const auto set = rest.find("/set?status=");
    if (set != std::string::npos) {
      NamedSwitch& named = namedSwitches[rest.substr(0, set)];
      named = NamedSwitch{{}, 0};
      std::string_view list = std::string_view(rest).substr(set + 12);
      while (!list.empty()) {
        named.statuses.push_back(numberAfter(list, ""));
        const auto comma = list.find(',');
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
      if (named.statuses.empty()) {
        named.statuses.push_back(200);
      }
      response_.body() = "set";
      return;
    }
    NamedSwitch& named = namedSwitches[rest];
    const int status = named.statuses[named.next++ % named.statuses.size()];
    response_.result(static_cast<http::status>(status));
    response_.body() = "switch " + rest + " " + std::to_string(status);
  }

  void echoRequest(const std::string& full) {
    std::string headers;
    for (const auto& field : request_) {
      std::string name(field.name_string());
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      headers += (headers.empty() ? "" : ",") + jsonString(name) + ":" +
                 jsonString(std::string(field.value()));
    }
    response_.version(11);
    response_.keep_alive(false);
    response_.result(http::status::ok);
    response_.set(http::field::content_type, "application/json");
    response_.body() = "{\"method\":" + jsonString(std::string(request_.method_string())) +
                       ",\"target\":" + jsonString(full) +
                       ",\"version\":" + std::to_string(request_.version()) + ",\"headers\":{" +
                       headers + "},\"body\":" + jsonString(request_.body()) + "}";
  }

  static std::string jsonString(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        out += escaped;
      } else {
        out.push_back(c);
      }
    }
    return out + "\"";
  }

  void login() {
    if (request_.method() != http::verb::post ||
        request_.body().find(R"("password":"s3cret")") == std::string::npos) {
      response_.result(http::status::unauthorized);
      response_.body() = R"({"error":"wrong password"})";
      return;
    }
    std::string token;
    {
      std::lock_guard lock(tokenMutex);
      issuedToken = "tok-" + std::to_string(++tokensIssued);
      token = issuedToken;
    }
    response_.set(http::field::content_type, "application/json");
    response_.set("X-Session", "session-" + token);
    response_.body() = R"({"token":")" + token + R"(","user":{"id":42}})";
  }

  // Answers a well-behaved client should survive, each named by what it does wrong.
  void hostile(const std::string& what) {
    if (what == "invalid-utf8") {  // bytes that are not UTF-8 in a body and a header
      sendRaw(
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Weird: \xc3\x28\xff\r\n"
          "Content-Length: 16\r\nConnection: close\r\n\r\nhello \xff\xfe world\xe2\x82");
    } else if (what == "accents") {  // multi-byte characters where a 120-byte cut would fall
      std::string body = R"({"status":")";
      for (int i = 0; i < 40; ++i) {
        body += "\xc3\xa9";  // é
      }
      body += " D\xc3\x96WN \xe2\x80\x94 \xe9\x9a\x9c\xe5\xae\xb3\"}";  // DÖWN — 障害
      sendRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    } else if (what == "big-header") {  // one header line of 200 KiB
      sendRaw("HTTP/1.1 200 OK\r\nX-Big: " + std::string(200 * 1024, 'a') +
              "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    } else if (what == "huge-length") {  // announces 10 GB, sends nothing more, keeps it open
      raw_ = "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n";
      asio::async_write(stream_, asio::buffer(raw_),
                        [self = shared_from_this()](beast::error_code, std::size_t) {
                          self->holdOpen(std::chrono::seconds(30));
                        });
    } else if (what == "trickle-headers") {  // a status line, then headers a byte at a time
      raw_ = "HTTP/1.1 200 OK\r\n";
      asio::async_write(
          stream_, asio::buffer(raw_),
          [self = shared_from_this()](beast::error_code, std::size_t) { self->trickle(300); });
    } else if (what == "trickle-status") {  // the status line itself a byte at a time
      raw_ = "H";
      dribbled_ = "TTP/1.1 200 OK\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
      asio::async_write(
          stream_, asio::buffer(raw_),
          [self = shared_from_this()](beast::error_code, std::size_t) { self->dribble(0); });
    } else if (what == "tls") {  // what a TLS server says to plain HTTP: an alert record
      sendRaw(std::string("\x15\x03\x01\x00\x02\x02\x46", 7));
    } else if (what == "tls-open") {  // a TLS record, then silence on an open connection
      raw_ = std::string("\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00", 10);
      asio::async_write(stream_, asio::buffer(raw_),
                        [self = shared_from_this()](beast::error_code, std::size_t) {
                          self->holdOpen(std::chrono::seconds(30));
                        });
    } else {
      sendRaw("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
  }

  // Writes "X-Slow: aaaa..." one byte every 100 ms, `left` bytes at most, then closes.
  void trickle(int left) {
    if (left <= 0) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    raw_ = left == 300 ? "X" : "a";
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this(), left](beast::error_code ec) {
      if (ec) {
        return;
      }
      asio::async_write(self->stream_, asio::buffer(self->raw_),
                        [self, left](beast::error_code ec, std::size_t) {
                          if (!ec) {
                            self->trickle(left - 1);
                          }
                        });
    });
  }

  // Writes dribbled_ from `at`, one byte every 100 ms, then closes.
  void dribble(std::size_t at) {
    if (at >= dribbled_.size()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this(), at](beast::error_code ec) {
      if (ec) {
        return;
      }
      self->raw_ = self->dribbled_.substr(at, 1);
      asio::async_write(self->stream_, asio::buffer(self->raw_),
                        [self, at](beast::error_code ec, std::size_t) {
                          if (!ec) {
                            self->dribble(at + 1);
                          }
                        });
    });
  }

  // Keeps the connection open without writing until the client leaves or `limit` passes.
  void holdOpen(std::chrono::seconds limit) {
    timer_.expires_after(limit);
    timer_.async_wait([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  void sendRaw(std::string text) {
    raw_ = std::move(text);
    asio::async_write(stream_, asio::buffer(raw_),
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  void send() {
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::string raw_;
  std::string dribbled_;  // what dribble() still has to write
};

}  // namespace

struct TargetServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        return;
      }
      std::make_shared<Connection>(std::move(socket))->start();
      accept();
    });
  }
};

TargetServer::TargetServer() : impl_(std::make_unique<Impl>()) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

TargetServer::~TargetServer() {
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short TargetServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace prober::testing
