#include "tests/service/collector/support/tls_client.h"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>

namespace xiaoan::collector::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;

Status ioError(const std::string& what, const beast::error_code& ec) {
  return Status(ErrorCode::kIo, what + ": " + ec.message());
}

}  // namespace

struct TlsClient::Impl {
  explicit Impl(TlsClientOptions o) : options(std::move(o)), ctx(ssl::context::tls_client) {}

  // Runs the io_context until `done` or the time-out (then the socket is closed).
  template <typename Start>
  beast::error_code run(Start start) {
    beast::error_code result = net::error::would_block;
    beast::get_lowest_layer(stream()).expires_after(options.timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  TlsClientOptions options;
  net::io_context io;
  ssl::context ctx;
  // Made after the context is configured: SSL_new copies the certificate and versions.
  std::optional<ssl::stream<beast::tcp_stream>> stream_storage;
  ssl::stream<beast::tcp_stream>& stream() { return *stream_storage; }
  beast::flat_buffer buffer;
};

TlsClient::TlsClient(TlsClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  auto& ctx = impl_->ctx;
  ctx.add_certificate_authority(net::buffer(impl_->options.ca_pem));
  ctx.set_verify_mode(ssl::verify_peer);
  if (impl_->options.identity) {
    ctx.use_certificate(net::buffer(impl_->options.identity->cert_pem), ssl::context::pem);
    ctx.use_private_key(net::buffer(impl_->options.identity->key_pem), ssl::context::pem);
  }
  if (impl_->options.max_tls_1_1) {
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  }
  if (!impl_->options.tls12_ciphers.empty()) {
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), impl_->options.tls12_ciphers.c_str());
  }
  impl_->stream_storage.emplace(impl_->io, ctx);
}

TlsClient::~TlsClient() = default;

Status TlsClient::connectTcpOnly() {
  net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), impl_->options.port);
  if (!impl_->options.source_address.empty()) {
    auto& socket = beast::get_lowest_layer(impl_->stream()).socket();
    beast::error_code bind_ec;
    socket.open(net::ip::tcp::v4(), bind_ec);
    if (!bind_ec) {
      socket.bind({net::ip::make_address(impl_->options.source_address), 0}, bind_ec);
    }
    if (bind_ec) return ioError("bind " + impl_->options.source_address, bind_ec);
  }
  auto ec = impl_->run(
      [&](auto handler) { beast::get_lowest_layer(impl_->stream()).async_connect(ep, handler); });
  if (ec) return ioError("connect", ec);
  beast::get_lowest_layer(impl_->stream()).socket().set_option(net::ip::tcp::no_delay(true), ec);
  return Status::ok();
}

Status TlsClient::connect() {
  XIAOAN_RETURN_IF_ERROR(connectTcpOnly());
  auto ec = impl_->run(
      [&](auto handler) { impl_->stream().async_handshake(ssl::stream_base::client, handler); });
  return ec ? Status(ErrorCode::kTlsHandshake, "handshake: " + ec.message()) : Status::ok();
}

Status TlsClient::writeRaw(std::string_view bytes) {
  auto ec = impl_->run([&](auto handler) {
    net::async_write(impl_->stream(), net::buffer(bytes.data(), bytes.size()), handler);
  });
  return ec ? ioError("write", ec) : Status::ok();
}

Result<RawResponse> TlsClient::readResponse() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto ec = impl_->run(
      [&](auto handler) { http::async_read(impl_->stream(), impl_->buffer, parser, handler); });
  if (ec) return ioError("read", ec);
  RawResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  out.body = parser.get().body();
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  return out;
}

Result<RawResponse> TlsClient::request(const std::string& method, const std::string& target,
                                       const std::string& body,
                                       const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/x-protobuf");
  req.body() = body;
  req.prepare_payload();
  for (const auto& [name, value] : headers) req.set(name, value);
  auto ec = impl_->run([&](auto handler) { http::async_write(impl_->stream(), req, handler); });
  if (ec) return ioError("write", ec);
  return readResponse();
}

bool TlsClient::tcpClosedByPeer(std::chrono::milliseconds within) {
  impl_->options.timeout = within;
  char byte = 0;
  auto ec = impl_->run([&](auto handler) {
    beast::get_lowest_layer(impl_->stream()).async_read_some(net::buffer(&byte, 1), handler);
  });
  return ec == net::error::eof || ec == net::error::connection_reset;
}

}  // namespace xiaoan::collector::testing
