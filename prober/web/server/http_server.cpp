#include "prober/web/server/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cerrno>
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

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

// What the server keeps of each open connection, plain or TLS: a way to close it on stop.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close() = 0;
};

// The certificate and key of [web], loaded once at start; TLS 1.2 and later only.
asio::ssl::context tlsContext(const TlsFiles& files) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  beast::error_code ec;
  context.use_certificate_chain_file(files.certFile, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("[web] tls_cert_file {}: {}", files.certFile, ec.message()));
  }
  context.use_private_key_file(files.keyFile, asio::ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("[web] tls_key_file {}: {}", files.keyFile, ec.message()));
  }
  return context;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, RequestHandler handler, std::size_t maxConnections)
      : io(io),
        acceptor(io),
        backoffTimer(io),
        handler(std::move(handler)),
        maxConnections(std::max<std::size_t>(1, maxConnections)) {}
  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer backoffTimer;  // while out of descriptors
  RequestHandler handler;
  std::optional<asio::ssl::context> tls;  // set when [web] asks for HTTPS
  std::unordered_set<SessionBase*> sessions;
  std::size_t maxConnections;
  bool accepting = false;  // an accept (or its backoff) is under way
  std::chrono::milliseconds backoff{0};
  std::uint64_t acceptFailures = 0;
  bool stopped = false;

  // Accepts the next connection unless one is being accepted, the server is full or stopped.
  void accept();
  // A connection closed: the server may have room again.
  void closed(SessionBase* session);
};

namespace {

// One connection: requests read and answered in turn. `Stream` is beast::tcp_stream, or
// beast::ssl_stream over one for HTTPS (its handshake first).
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... StreamArgs>
  explicit Session(std::shared_ptr<HttpServer::Impl> server, StreamArgs&&... streamArgs)
      : stream_(std::forward<StreamArgs>(streamArgs)...), server_(std::move(server)) {
    server_->sessions.insert(this);
  }
  ~Session() override { server_->closed(this); }

  void start() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  self->close();  // not TLS, or a client that gave up
                                  return;
                                }
                                self->read();
                              });
    } else {
      read();
    }
  }
  void close() override {
    beast::error_code ignored;
    auto& tcpStream = beast::get_lowest_layer(stream_);
    tcpStream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcpStream.close();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  void read() {
    answered_ = false;
    parser_.emplace();
    limit(*parser_);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
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
    auto respond = [self = this->shared_from_this(), version, keepAlive, head](ServerResponse out) {
      self->answer(std::move(out), version, keepAlive, head);
    };
    try {
      server_->handler(in, respond);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", in.method, in.target, e.what());
      respond(ServerResponse{500, "text/plain; charset=utf-8", "internal error\n", ""});
    }
  }

  template <class Body>
  static void setHeader(http::response<Body>& response, const ServerResponse& out) {
    response.set(http::field::server, "prober");
    response.set(http::field::content_type, out.contentType);
    response.set(http::field::cache_control, "no-store");
    if (!out.allow.empty()) {
      response.set(http::field::allow, out.allow);
    }
    for (const auto& [name, value] : out.headers) {
      response.set(name, value);
    }
  }

  void answer(ServerResponse out, unsigned version, bool keepAlive, bool head) {
    if (answered_) {
      return;  // a handler answers once; a second answer would corrupt the stream
    }
    answered_ = true;
    if (out.stream) {
      stream(std::move(out), version, keepAlive, head);
      return;
    }
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(out.status), version);
    setHeader(*response, out);
    response->keep_alive(keepAlive);
    if (!head) {
      response->body() = std::move(out.body);
    }
    write(std::move(response));
  }

  // A streamed answer: the header, then one piece at a time as chunks (HTTP/1.1) or as they
  // are (HTTP/1.0, which has no chunks: the end of the body is the end of the connection).
  struct Streaming {
    http::response<http::empty_body> header;
    std::optional<http::response_serializer<http::empty_body>> serializer;
    BodySource source;
    std::string piece;
    bool chunked = false;
    bool last = false;
  };

  // After the last byte of an answer: the next request, or the end of the connection.
  void finished(bool keepAlive) {
    if (!keepAlive || server_->stopped) {
      close();
      return;
    }
    read();
  }

  void stream(ServerResponse out, unsigned version, bool keepAlive, bool head) {
    auto streaming = std::make_shared<Streaming>();
    streaming->header =
        http::response<http::empty_body>(static_cast<http::status>(out.status), version);
    setHeader(streaming->header, out);
    streaming->chunked = version >= 11;
    streaming->header.keep_alive(keepAlive && streaming->chunked);
    if (streaming->chunked) {
      streaming->header.chunked(true);
    }
    streaming->source = std::move(out.stream);
    streaming->serializer.emplace(streaming->header);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_write_header(
        stream_, *streaming->serializer,
        [self = this->shared_from_this(), streaming, head](beast::error_code ec, std::size_t) {
          if (ec) {
            self->close();
          } else if (head) {
            self->finished(streaming->header.keep_alive());
          } else {
            self->writePiece(streaming);
          }
        });
  }

  void writePiece(const std::shared_ptr<Streaming>& streaming) {
    auto next = [self = this->shared_from_this(), streaming](beast::error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      self->writePiece(streaming);
    };
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    if (streaming->last) {
      if (!streaming->chunked) {
        close();
        return;
      }
      asio::async_write(
          stream_, http::make_chunk_last(),
          [self = this->shared_from_this(), streaming](beast::error_code ec, std::size_t) {
            if (ec) {
              self->close();
              return;
            }
            self->finished(streaming->header.keep_alive());
          });
      return;
    }
    streaming->piece.clear();
    try {
      // A source may hand back an empty piece now and then; bounded so none can spin here.
      for (int tries = 0; tries < 64 && streaming->piece.empty() && !streaming->last; ++tries) {
        streaming->last = !streaming->source(streaming->piece);
      }
    } catch (const std::exception& e) {
      spdlog::error("http: a streamed answer failed midway: {}", e.what());
      close();  // the status is gone already: a cut connection is the only way to say so
      return;
    }
    if (streaming->piece.empty()) {
      writePiece(streaming);
      return;
    }
    if (streaming->chunked) {
      asio::async_write(stream_, http::make_chunk(asio::buffer(streaming->piece)), next);
    } else {
      asio::async_write(stream_, asio::buffer(streaming->piece), next);
    }
  }

  void write(std::shared_ptr<http::response<http::string_body>> response) {
    response->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_write(
        stream_, *response,
        [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
          if (ec || !response->keep_alive() || self->server_->stopped) {
            self->close();
            return;
          }
          self->read();
        });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  bool answered_ = false;
};

}  // namespace

void HttpServer::Impl::accept() {
  if (accepting || stopped || sessions.size() >= maxConnections) {
    return;  // full: closed() accepts again once a connection goes
  }
  accepting = true;
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    self->accepting = false;
    if (self->stopped) {
      return;
    }
    if (!ec) {
      self->backoff = std::chrono::milliseconds(0);
      if (self->tls) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(self, std::move(socket),
                                                                        *self->tls)
            ->start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(self, std::move(socket))->start();
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    } else {
      ++self->acceptFailures;
      // Out of descriptors (or memory): the connection stays in the backlog and the next
      // accept fails the same way at once. Wait, longer each time, for one to be freed.
      const bool outOfResources = ec == asio::error::no_descriptors || ec.value() == ENFILE ||
                                  ec == asio::error::no_buffer_space ||
                                  ec == asio::error::no_memory;
      if (outOfResources) {
        const bool first = self->backoff.count() == 0;
        self->backoff =
            first ? std::chrono::milliseconds(10)
                  : std::min<std::chrono::milliseconds>(self->backoff * 2, std::chrono::seconds(1));
        if (first) {
          spdlog::warn(
              "http: cannot accept a connection: {} ({} open); trying again as "
              "descriptors free up",
              ec.message(), self->sessions.size());
        }
        self->accepting = true;
        self->backoffTimer.expires_after(self->backoff);
        self->backoffTimer.async_wait([self](beast::error_code waited) {
          self->accepting = false;
          if (!waited) {
            self->accept();
          }
        });
        return;
      }
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    self->accept();
  });
}

void HttpServer::Impl::closed(SessionBase* session) {
  sessions.erase(session);
  // Posted: a session closes from inside its own handlers, and the destructor may run while the
  // server itself is being torn down.
  if (!stopped && !accepting && sessions.size() < maxConnections) {
    asio::post(io, [weak = weak_from_this()] {
      if (const auto self = weak.lock()) {
        self->accept();
      }
    });
  }
}

HttpServer::HttpServer(asio::io_context& io, const std::string& listen, RequestHandler handler,
                       const TlsFiles& tls, std::size_t maxConnections)
    : impl_(std::make_shared<Impl>(io, std::move(handler), maxConnections)) {
  if (!tls.certFile.empty()) {
    impl_->tls.emplace(tlsContext(tls));
  }
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

void HttpServer::setMaxConnections(std::size_t maxConnections) {
  impl_->maxConnections = std::max<std::size_t>(1, maxConnections);
  impl_->accept();  // a higher cap may make room
}

std::size_t HttpServer::openConnections() const {
  return impl_->sessions.size();
}

std::uint64_t HttpServer::acceptFailures() const {
  return impl_->acceptFailures;
}

void HttpServer::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->backoffTimer.cancel();
  for (SessionBase* session :
       std::vector<SessionBase*>(impl_->sessions.begin(), impl_->sessions.end())) {
    session->close();
  }
}

std::string wholeBody(ServerResponse& response) {
  if (response.stream) {
    for (bool more = true; more;) {
      more = response.stream(response.body);
    }
    response.stream = {};
  }
  return response.body;
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
