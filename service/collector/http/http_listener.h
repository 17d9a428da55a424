#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "platform/result.h"
#include "service/collector/http/http_session.h"

namespace xiaoan::collector {

// Accepts TLS connections on one address and hands each to an HttpSession. Beyond
// max_connections, or beyond max_connections_per_address from one source address, new
// connections are accepted and closed at once (the kernel backlog never fills up with peers we
// will not serve, and one address cannot take the whole budget).
class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  // Binds and listens (port 0 picks a free port); E_IO when the address is unusable.
  static Result<std::shared_ptr<HttpListener>> open(boost::asio::io_context& io,
                                                    std::shared_ptr<ListenerContext> ctx);

  void start();
  // Stops accepting; established connections finish their current request.
  void stop();
  // "127.0.0.1:8443" with the bound port.
  std::string boundAddress() const { return bound_; }
  uint16_t port() const { return port_; }
  size_t connections() const { return ctx_->connections.load(); }

 private:
  HttpListener(boost::asio::io_context& io, std::shared_ptr<ListenerContext> ctx);
  void accept();
  void onAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  std::shared_ptr<ListenerContext> ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::string bound_;
  uint16_t port_ = 0;
};

}  // namespace xiaoan::collector
