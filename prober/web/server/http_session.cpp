// One connection of the HTTP server: requests read with the server's limits, handed to the
// handler, and answered whole or streamed; the TLS handshake first when the server speaks HTTPS.
// The listener that accepts connections and counts them is http_server.cpp.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>

#include "prober/web/server/http_server_impl.h"

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
      server_->timed([&] { server_->handler(in, respond); });
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
    if (server_->stopped || !beast::get_lowest_layer(stream_).socket().is_open()) {
      return;  // closed (the server stopping, the client gone): no more pieces worked out
    }
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
      streaming->last = !server_->timed([&] { return streaming->source(streaming->piece); });
    } catch (const std::exception& e) {
      spdlog::error("http: a streamed answer failed midway: {}", e.what());
      close();  // the status is gone already: a cut connection is the only way to say so
      return;
    }
    if (streaming->piece.empty()) {
      // Nothing to send yet (gzip holding its output back, a stretch of checks without samples):
      // the next piece is asked for on a later turn, after the probes waiting meanwhile, rather
      // than piece after piece in this one.
      asio::post(stream_.get_executor(),
                 [self = this->shared_from_this(), streaming] { self->writePiece(streaming); });
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

void startSession(const std::shared_ptr<HttpServer::Impl>& server, tcp::socket socket) {
  if (server->tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(server, std::move(socket),
                                                                    *server->tls)
        ->start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(server, std::move(socket))->start();
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
