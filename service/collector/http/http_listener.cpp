#include "service/collector/http/http_listener.h"

#include <boost/asio/post.hpp>

#include "platform/logging.h"

namespace xiaoan::collector {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// Pause after an accept error such as EMFILE, so a full descriptor table does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

Status bindError(const std::string& what, const boost::system::error_code& ec) {
  return Status(ErrorCode::kIo, what + ": " + ec.message(), ec.value());
}

}  // namespace

HttpListener::HttpListener(net::io_context& io, std::shared_ptr<ListenerContext> ctx)
    : io_(io),
      ctx_(std::move(ctx)),
      strand_(net::make_strand(io)),
      acceptor_(strand_),
      retry_timer_(strand_) {}

Result<std::shared_ptr<HttpListener>> HttpListener::open(net::io_context& io,
                                                         std::shared_ptr<ListenerContext> ctx) {
  std::shared_ptr<HttpListener> l(new HttpListener(io, std::move(ctx)));
  const auto& opts = l->ctx_->options;
  boost::system::error_code ec;
  auto address = net::ip::make_address(opts.address, ec);
  if (ec) return bindError(opts.name + ": bad listen address " + opts.address, ec);
  tcp::endpoint endpoint(address, opts.port);
  std::string where = opts.name + ": listen on " + opts.address + ":" + std::to_string(opts.port);
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return bindError(where, ec);
  auto local = l->acceptor_.local_endpoint(ec);
  if (ec) return bindError(where, ec);
  l->port_ = local.port();
  l->bound_ = local.address().to_string() + ":" + std::to_string(l->port_);
  return l;
}

void HttpListener::start() {
  net::post(strand_, [self = shared_from_this()] { self->accept(); });
}

void HttpListener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void HttpListener::accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(io_),
                         beast::bind_front_handler(&HttpListener::onAccept, shared_from_this()));
}

void HttpListener::onAccept(boost::beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    componentLogger(LogComponent::kCollectorHttp)
        ->warn("{}: accept failed: {}", ctx_->options.name, ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  boost::system::error_code ep_ec;
  auto peer = socket.remote_endpoint(ep_ec);
  std::string key = ep_ec ? std::string() : connectionBudgetKey(peer.address());
  if (ep_ec || ctx_->server.stopping.load() || !ctx_->admit(key)) {
    // Over the listener's or this address's cap (or already gone): refuse at once, before any
    // TLS state is allocated, and keep accepting.
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    // Responses go out as several TLS records; without this, Nagle + delayed ACK add ~40 ms.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<HttpSession>(std::move(socket), ctx_, std::move(key))->start();
  }
  accept();
}

}  // namespace xiaoan::collector
