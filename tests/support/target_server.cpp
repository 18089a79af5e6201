#include "tests/support/target_server.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <string>
#include <thread>

namespace prober::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// GET /switch answers with this status; GET /switch/set?status=N changes it. Lets a test make
// a check fail and recover without touching the config.
std::atomic<int> switchStatus{200};

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
    // Routes match on the path; /slow and /bytes read their parameter from the query.
    const std::string target = full.rfind("/slow?", 0) == 0 || full.rfind("/bytes?", 0) == 0 ||
                                       full.rfind("/switch/set?", 0) == 0
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
    } else if (target == "/garbage") {
      sendRaw("this is not HTTP at all\r\n\r\n");
      return;
    } else if (target == "/close") {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    } else if (target == "/echo") {
      response_.body() = std::string(request_.method_string()) + " " + request_.body();
    } else {
      response_.result(http::status::not_found);
      response_.body() = "not found";
    }
    send();
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
