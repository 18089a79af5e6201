// The HTTP server's listener: binds the address, accepts connections up to [web]
// max_connections (backing off while the process is out of descriptors) and closes them all on
// stop. Each connection is served by http_session.cpp.
#include "prober/web/server/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <stdexcept>

#include "prober/web/server/http_server_impl.h"

namespace prober {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The certificate and key of [web], loaded once at start; TLS 1.2 and later only.
asio::ssl::context tlsContext(const TlsFiles& files) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
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

void HttpServer::Impl::accept() {
  if (accepting || stopped || sessions.size() >= maxConnections) {
    return;  // full: closed() accepts again once a connection goes
  }
  accepting = true;
  acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec,
                                                    tcp::socket socket) {
    self->accepting = false;
    if (self->stopped) {
      return;
    }
    if (!ec) {
      self->backoff = std::chrono::milliseconds(0);
      startSession(self, std::move(socket));
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
        self->backoffTimer.async_wait([self](boost::system::error_code waited) {
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
  impl_->listenHost = listen.substr(0, colon);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  boost::system::error_code ec;
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
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::string HttpServer::url() const {
  return fmt::format("{}://{}:{}", impl_->tls ? "https" : "http", impl_->listenHost, port());
}

void HttpServer::setMaxConnections(std::size_t maxConnections) {
  impl_->maxConnections = std::max<std::size_t>(1, maxConnections);
  impl_->accept();  // a higher cap may make room
}

std::size_t HttpServer::openConnections() const {
  return impl_->sessions.size();
}

void HttpServer::observeLoopHolds(std::function<void(double seconds)> observer) {
  impl_->holdObserver = std::move(observer);
}

std::uint64_t HttpServer::acceptFailures() const {
  return impl_->acceptFailures;
}

void HttpServer::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->backoffTimer.cancel();
  for (SessionBase* session :
       std::vector<SessionBase*>(impl_->sessions.begin(), impl_->sessions.end())) {
    session->close();
  }
}

}  // namespace prober
