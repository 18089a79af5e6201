#pragma once
// What the listener (http_server.cpp) and the connections it accepts (http_session.cpp) share:
// the server's state, and how a connection starts. Only those two include it, so Asio stays
// out of http_server.h.
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "prober/web/server/http_server.h"

namespace prober {

// What the server keeps of each open connection, plain or TLS: a way to close it on stop.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close() = 0;
};

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(boost::asio::io_context& io, RequestHandler handler, std::size_t maxConnections)
      : io(io),
        acceptor(io),
        backoffTimer(io),
        handler(std::move(handler)),
        maxConnections(std::max<std::size_t>(1, maxConnections)) {}
  boost::asio::io_context& io;
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::steady_timer backoffTimer;  // while out of descriptors
  RequestHandler handler;
  std::optional<boost::asio::ssl::context> tls;  // set when [web] asks for HTTPS
  std::string listenHost;                        // as the config writes it
  std::unordered_set<SessionBase*> sessions;
  std::size_t maxConnections;
  bool accepting = false;  // an accept (or its backoff) is under way
  std::chrono::milliseconds backoff{0};
  std::uint64_t acceptFailures = 0;
  bool stopped = false;
  std::function<void(double seconds)> holdObserver;  // HttpServer::observeLoopHolds

  // Runs one step of answering a request on the loop (the handler's call, or one piece of a
  // streamed answer) and tells the observer how long it held the loop.
  template <class Step>
  decltype(auto) timed(Step&& step) {
    if (!holdObserver) {
      return step();
    }
    struct Report {
      const std::function<void(double)>& observer;
      std::chrono::steady_clock::time_point began = std::chrono::steady_clock::now();
      ~Report() {
        observer(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
      }
    } report{holdObserver};
    return step();
  }

  // Accepts the next connection unless one is being accepted, the server is full or stopped.
  void accept();
  // A connection closed: the server may have room again.
  void closed(SessionBase* session);
};

// Serves an accepted connection until it closes: its TLS handshake first when the server
// speaks HTTPS, then requests read and answered in turn (http_session.cpp).
void startSession(const std::shared_ptr<HttpServer::Impl>& server,
                  boost::asio::ip::tcp::socket socket);

}  // namespace prober
