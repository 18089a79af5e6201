#pragma once
// The daemon's HTTP server (metrics, status page, API, reload) on the shared event loop.
// Beast stays inside http_server.cpp (the listener) and http_session.cpp (one connection);
// callers see plain requests and responses.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace prober {

struct ServerRequest {
  std::string method;
  std::string target;  // path and query
  std::string accept;
  std::string contentType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  // The first value of a header ("" when absent); `name` lower-case.
  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) {
        return value;
      }
    }
    return {};
  }
};

// A body sent as it is produced: each call appends the next piece to `out` and returns whether
// more follows. The server calls it again only once the last piece is on its way to the
// client, or, after an empty piece, on a later turn of the loop: one call at a time holds the
// loop, only one piece is held at a time, and the loop runs other work between pieces.
using BodySource = std::function<bool(std::string& out)>;

struct ServerResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;                                              // for 405 answers
  std::vector<std::pair<std::string, std::string>> headers = {};  // others (WWW-Authenticate)
  // Set instead of `body` for a large answer: sent chunked (HTTP/1.1), or until the connection
  // closes (HTTP/1.0).
  BodySource stream = {};
};

// The whole body of a response, pulling a streamed one to its end (tests, small callers).
std::string wholeBody(ServerResponse& response);

// Answers a request by calling `respond` once, now or later, on the event loop; slow work
// (a config reload) runs elsewhere and answers when it is done.
using Responder = std::function<void(ServerResponse)>;
using RequestHandler = std::function<void(const ServerRequest&, Responder respond)>;

// Reads one request from `bytes` as the server reads each request on a connection (its header
// and body limits); nullopt with `error` saying why when it is malformed or incomplete.
std::optional<ServerRequest> parseServerRequest(std::string_view bytes, std::string& error);

// HTTPS: the PEM certificate chain and private key ([web] tls_cert_file, tls_key_file).
struct TlsFiles {
  std::string certFile;  // empty: plain HTTP
  std::string keyFile;
};

class HttpServer {
 public:
  // Binds `listen` ("HOST:PORT"; port 0 picks a free one), speaking HTTPS when `tls` names
  // files. Throws std::runtime_error with the address (or file) and the reason when it cannot.
  // At most `maxConnections` are open at once ([web] max_connections): past it the server
  // stops accepting until one closes, and the rest wait in the kernel's backlog.
  HttpServer(boost::asio::io_context& io, const std::string& listen, RequestHandler handler,
             const TlsFiles& tls = {}, std::size_t maxConnections = 1024);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const;
  // Where it answers, as the config names the host: "http://127.0.0.1:9115".
  std::string url() const;
  void setMaxConnections(std::size_t maxConnections);
  std::size_t openConnections() const;
  // Accepts that failed, counted: when the process is out of descriptors (EMFILE, ENFILE) the
  // server waits before it tries again (doubling from 10 ms to 1 s) instead of spinning on a
  // connection it cannot take.
  std::uint64_t acceptFailures() const;
  // Told how long each step of answering a request held the event loop: a handler's call (a
  // whole answer, for most) or one piece of a streamed one (a slice of a page over every check).
  void observeLoopHolds(std::function<void(double seconds)> observer);
  // Stops accepting and closes open connections.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace prober
