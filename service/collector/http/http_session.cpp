#include "service/collector/http/http_session.h"

#include <algorithm>
#include <limits>

#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>

#include "platform/logging.h"
#include "service/collector/http/tls_context.h"

namespace xiaoan::collector {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;

// The read buffer only holds bytes not yet consumed by the parser (headers are capped far
// below this; body bytes move into the body as they arrive).
constexpr size_t kReadBufferLimit = size_t{64} * 1024;
constexpr std::chrono::seconds kShutdownTimeout{5};
// File answers may take write_timeout plus one second per KiB before the peer is dropped.
constexpr uint64_t kMinFileBytesPerSecond = 1024;

std::string endpointText(const net::ip::tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

std::string connectionBudgetKey(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

bool ListenerContext::admit(const std::string& key) {
  std::lock_guard lock(mu_);
  if (connections.load() >= options.max_connections) return false;
  size_t& held = per_address_[key];
  if (held >= options.max_connections_per_address) {
    if (held == 0) per_address_.erase(key);
    return false;
  }
  ++held;
  connections.fetch_add(1);
  return true;
}

void ListenerContext::release(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(key);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  connections.fetch_sub(1);
}

void prepareRequestParser(RequestParser& parser, const ListenerOptions& options) {
  parser.header_limit(options.header_limit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

HttpSession::HttpSession(net::ip::tcp::socket socket, std::shared_ptr<ListenerContext> ctx,
                         std::string budget_key)
    : stream_(std::move(socket), ctx->tls),
      ctx_(std::move(ctx)),
      buffer_(kReadBufferLimit),
      budget_key_(std::move(budget_key)) {
  peer_.remote_address = endpointText(beast::get_lowest_layer(stream_).socket());
}

HttpSession::~HttpSession() {
  releaseBody();
  finishRequest();
  ctx_->release(budget_key_);
}

void HttpSession::start() {
  // A silent or slow peer is cut tls_handshake_timeout after the accept; the first request's
  // headers must then follow within handshake_timeout of the accept.
  const auto accepted = Clock::now();
  request_deadline_ = accepted + ctx_->options.handshake_timeout;
  beast::get_lowest_layer(stream_).expires_at(
      std::min(request_deadline_, accepted + ctx_->options.tls_handshake_timeout));
  stream_.async_handshake(net::ssl::stream_base::server,
                          beast::bind_front_handler(&HttpSession::onHandshake, shared_from_this()));
}

void HttpSession::onHandshake(beast::error_code ec) {
  if (ec) {
    componentLogger(LogComponent::kCollectorHttp)
        ->debug("{}: TLS handshake with {} failed: {}", ctx_->options.name, peer_.remote_address,
                ec.message());
    return;  // dropping the last reference closes the socket
  }
  if (auto cn = verifiedPeerCommonName(stream_.native_handle())) {
    peer_.client_cert_verified = true;
    peer_.client_cert_cn = std::move(*cn);
  }
  beast::get_lowest_layer(stream_).expires_at(request_deadline_);
  readHeader();
}

void HttpSession::readHeader() {
  parser_.emplace();
  prepareRequestParser(*parser_, ctx_->options);
  if (!first_request_) {
    request_deadline_ = Clock::now() + ctx_->options.request_timeout;
    beast::get_lowest_layer(stream_).expires_after(ctx_->options.idle_timeout);
  }
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::onHeader, shared_from_this()));
}

void HttpSession::onHeader(beast::error_code ec, size_t /*bytes*/) {
  if (ec == http::error::header_limit) {
    return sendError(http::status::request_header_fields_too_large, ErrorCode::kTooLarge,
                     "request headers exceed the limit");
  }
  if (ec == http::error::body_limit) {
    return sendError(http::status::payload_too_large, ErrorCode::kTooLarge,
                     "request body exceeds the limit");
  }
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::ssl::error::stream_truncated) {
    return closeConnection();
  }
  if (ec) {
    return sendError(http::status::bad_request, ErrorCode::kProtocol, "malformed HTTP request");
  }
  first_request_ = false;
  keep_alive_ = parser_->get().keep_alive();
  if (rejectBeforeBody()) return;
  readBody();
}

// Refusals that need only the headers: the body is never read.
bool HttpSession::rejectBeforeBody() {
  const auto& header = parser_->get();
  if (ctx_->server.stopping.load()) {
    sendError(http::status::service_unavailable, ErrorCode::kOverloaded, "collector is stopping");
    return true;
  }
  auto encoding = header[http::field::content_encoding];
  if (!encoding.empty() && !beast::iequals(encoding, "identity")) {
    sendError(http::status::unsupported_media_type, ErrorCode::kProtocol,
              "compressed request bodies are not accepted");
    return true;
  }
  if (auto early = ctx_->handler.precheck(header, peer_)) {
    send(std::move(*early), true);
    return true;
  }
  uint64_t limit = ctx_->handler.bodyLimit(header);
  auto length = parser_->content_length();
  if (length && *length > limit) {
    sendError(http::status::payload_too_large, ErrorCode::kTooLarge,
              "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                  std::to_string(limit));
    return true;
  }
  if (!reserveBody(length.value_or(limit))) {
    sendError(http::status::service_unavailable, ErrorCode::kOverloaded,
              "too many uploads in progress; retry later");
    return true;
  }
  parser_->body_limit(limit);
  return false;
}

bool HttpSession::reserveBody(uint64_t bytes) {
  uint64_t before = ctx_->body_bytes.fetch_add(bytes);
  if (before + bytes > ctx_->options.max_body_bytes_in_flight && before > 0) {
    ctx_->body_bytes.fetch_sub(bytes);
    return false;
  }
  reserved_body_ = bytes;
  return true;
}

void HttpSession::releaseBody() {
  ctx_->body_bytes.fetch_sub(reserved_body_);
  reserved_body_ = 0;
}

void HttpSession::readBody() {
  beast::get_lowest_layer(stream_).expires_at(request_deadline_);
  auto self = shared_from_this();
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    // libcurl waits for this before sending bodies > 1 MiB; answer at once.
    continue_.emplace(http::status::continue_, parser_->get().version());
    http::async_write(stream_, *continue_, [self](beast::error_code ec, size_t) {
      if (ec) return self->closeConnection();
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       beast::bind_front_handler(&HttpSession::onBody, self));
    });
    return;
  }
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::onBody, self));
}

void HttpSession::onBody(beast::error_code ec, size_t /*bytes*/) {
  if (ec == http::error::body_limit) {
    return sendError(http::status::payload_too_large, ErrorCode::kTooLarge,
                     "request body exceeds the limit");
  }
  if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
      ec == net::error::operation_aborted || ec == net::ssl::error::stream_truncated) {
    return closeConnection();
  }
  if (ec) {
    return sendError(http::status::bad_request, ErrorCode::kProtocol, "malformed HTTP request");
  }
  dispatch();
}

void HttpSession::dispatch() {
  in_flight_ = true;
  ctx_->server.in_flight.fetch_add(1);
  // The handler may run long (the writer commits first); no read deadline meanwhile.
  beast::get_lowest_layer(stream_).expires_never();
  auto self = shared_from_this();
  Responder respond(
      [self](HttpResponse response) {
        net::post(self->stream_.get_executor(),
                  [self, r = std::move(response)]() mutable { self->send(std::move(r), false); });
      },
      [self](FileResponse response) {
        auto r = std::make_shared<FileResponse>(std::move(response));
        net::post(self->stream_.get_executor(), [self, r] { self->sendFile(std::move(*r)); });
      });
  try {
    ctx_->handler.handle(parser_->release(), peer_, respond);
  } catch (const std::exception& e) {
    componentLogger(LogComponent::kCollectorHttp)
        ->error("{}: handler threw: {}", ctx_->options.name, e.what());
    respond(ctx_->handler.errorResponse(http::status::internal_server_error, ErrorCode::kInternal,
                                        "internal error"));
  }
  // The body has been decoded (and what is kept is accounted by the writer queue).
  releaseBody();
}

void HttpSession::sendError(http::status status, ErrorCode code, const std::string& message) {
  auto response = ctx_->handler.errorResponse(status, code, message);
  if (status == http::status::service_unavailable) {
    response.set(http::field::retry_after,
                 std::to_string(jitteredRetryAfter(ctx_->options.retry_after_min_seconds,
                                                   ctx_->options.retry_after_max_seconds)));
  }
  // The rest of the request is unread: the connection cannot be reused.
  send(std::move(response), true);
}

void HttpSession::send(HttpResponse response, bool close) {
  close = close || !keep_alive_ || ctx_->server.stopping.load();
  response.version(11);
  response.keep_alive(!close);
  response.prepare_payload();
  response_ = std::make_shared<HttpResponse>(std::move(response));
  beast::get_lowest_layer(stream_).expires_after(ctx_->options.write_timeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::onWrite, shared_from_this(), close));
}

void HttpSession::onWrite(bool close, beast::error_code ec, size_t /*bytes*/) {
  response_.reset();
  finishRequest();
  if (ec || close) return closeConnection();
  readHeader();
}

void HttpSession::sendFile(FileResponse response) {
  bool close = !keep_alive_ || ctx_->server.stopping.load();
  response.version(11);
  response.keep_alive(!close);
  response.prepare_payload();
  uint64_t bytes = response.body().size();
  file_deadline_ = Clock::now() + ctx_->options.write_timeout +
                   std::chrono::seconds(bytes / kMinFileBytesPerSecond);
  file_response_ = std::make_shared<FileResponse>(std::move(response));
  file_serializer_ = std::make_shared<http::response_serializer<FileBody>>(*file_response_);
  writeFileChunk(close);
}

void HttpSession::writeFileChunk(bool close) {
  auto deadline = std::min(Clock::now() + ctx_->options.write_timeout, file_deadline_);
  beast::get_lowest_layer(stream_).expires_at(deadline);
  http::async_write_some(
      stream_, *file_serializer_,
      beast::bind_front_handler(&HttpSession::onFileChunk, shared_from_this(), close));
}

void HttpSession::onFileChunk(bool close, beast::error_code ec, size_t /*bytes*/) {
  if (!ec && !file_serializer_->is_done()) return writeFileChunk(close);
  file_serializer_.reset();
  file_response_.reset();
  if (ec) {
    componentLogger(LogComponent::kCollectorHttp)
        ->debug("{}: file answer to {} cut: {}", ctx_->options.name, peer_.remote_address,
                ec.message());
  }
  onWrite(close || static_cast<bool>(ec), ec, 0);
}

void HttpSession::finishRequest() {
  if (in_flight_) {
    in_flight_ = false;
    ctx_->server.in_flight.fetch_sub(1);
  }
}

void HttpSession::closeConnection() {
  beast::get_lowest_layer(stream_).expires_after(kShutdownTimeout);
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_)
        .socket()
        .shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(self->stream_).close();
  });
}

}  // namespace xiaoan::collector
