#include "prober/web/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <unordered_set>

namespace prober {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestBody = 1024 * 1024;
constexpr std::size_t kMaxRequestHeaders = 16 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

using RequestParser = http::request_parser<http::string_body>;

// The limits every request is read with: a client cannot make the daemon hold more.
void limit(RequestParser& parser) {
  parser.body_limit(kMaxRequestBody);
  parser.header_limit(kMaxRequestHeaders);
}

// What handlers see of a parsed request: strings, header names lower-cased.
ServerRequest toServerRequest(const http::request<http::string_body>& request) {
  ServerRequest in;
  in.method = std::string(request.method_string());
  in.target = std::string(request.target());
  in.accept = std::string(request[http::field::accept]);
  in.contentType = std::string(request[http::field::content_type]);
  in.body = request.body();
  for (const auto& field : request) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    in.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return in;
}

class Session;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, RequestHandler handler)
      : io(io), acceptor(io), handler(std::move(handler)) {}
  asio::io_context& io;
  tcp::acceptor acceptor;
  RequestHandler handler;
  std::unordered_set<Session*> sessions;
  bool stopped = false;

  void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->sessions.insert(this);
  }
  ~Session() { server_->sessions.erase(this); }

  void start() { read(); }
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void read() {
    answered_ = false;
    parser_.emplace();
    limit(*parser_);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::eof) {
      close();
      return;
    }
    if (ec) {
      // Malformed or oversized request: say so, then close.
      auto response =
          std::make_shared<http::response<http::string_body>>(http::status::bad_request, 11);
      response->set(http::field::content_type, "text/plain; charset=utf-8");
      response->body() = fmt::format("bad request: {}\n", ec.message());
      response->keep_alive(false);
      write(std::move(response));
      return;
    }
    const auto& request = parser_->get();
    ServerRequest in = toServerRequest(request);
    const unsigned version = request.version();
    const bool keepAlive = request.keep_alive();
    const bool head = request.method() == http::verb::head;
    auto respond = [self = shared_from_this(), version, keepAlive, head](ServerResponse out) {
      self->answer(std::move(out), version, keepAlive, head);
    };
    try {
      server_->handler(in, respond);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", in.method, in.target, e.what());
      respond(ServerResponse{500, "text/plain; charset=utf-8", "internal error\n", ""});
    }
  }

  void answer(ServerResponse out, unsigned version, bool keepAlive, bool head) {
    if (answered_) {
      return;  // a handler answers once; a second answer would corrupt the stream
    }
    answered_ = true;
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(out.status), version);
    response->set(http::field::server, "prober");
    response->set(http::field::content_type, out.contentType);
    response->set(http::field::cache_control, "no-store");
    if (!out.allow.empty()) {
      response->set(http::field::allow, out.allow);
    }
    response->keep_alive(keepAlive);
    if (!head) {
      response->body() = std::move(out.body);
    }
    write(std::move(response));
  }

  void write(std::shared_ptr<http::response<http::string_body>> response) {
    response->prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (ec || !response->keep_alive() || self->server_->stopped) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  bool answered_ = false;
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped) {
      return;
    }
    if (!ec) {
      std::make_shared<Session>(std::move(socket), self)->start();
    } else if (ec != asio::error::operation_aborted) {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    self->accept();
  });
}

HttpServer::HttpServer(asio::io_context& io, const std::string& listen, RequestHandler handler)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    throw std::runtime_error(fmt::format("listen address \"{}\" must be HOST:PORT", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  beast::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host.empty() ? "0.0.0.0" : host, port,
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}: {}", listen, ec ? ec.message() : "no address"));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    impl_->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw std::runtime_error(fmt::format("cannot listen on {}: {}", listen, ec.message()));
  }
  impl_->accept();
}

HttpServer::~HttpServer() {
  stop();
}

unsigned short HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  for (Session* session : std::vector<Session*>(impl_->sessions.begin(), impl_->sessions.end())) {
    session->close();
  }
}

std::optional<ServerRequest> parseServerRequest(std::string_view bytes, std::string& error) {
  RequestParser parser;
  limit(parser);
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const std::size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) {
      break;
    }
    if (ec) {
      error = ec.message();
      return std::nullopt;
    }
    if (n == 0) {
      break;
    }
    used += n;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) {
      error = ec ? ec.message() : "the request is incomplete";
      return std::nullopt;
    }
  }
  return toServerRequest(parser.get());
}

}  // namespace prober
