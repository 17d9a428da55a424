#include "tests/platform/net/tls_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <stdexcept>

namespace xiaoan::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TestPki TestPki::create(const std::string& ca_cn) {
  TestPki p;
  auto key = pki::PrivateKey::generateEcP256();
  if (!key.isOk()) throw std::runtime_error(key.status().toString());
  p.ca_key = std::move(key).value();
  auto ca = pki::makeSelfSignedCa(p.ca_key, ca_cn, std::chrono::hours(24));
  if (!ca.isOk()) throw std::runtime_error(ca.status().toString());
  p.ca_pem = *ca;
  return p;
}

std::pair<std::string, std::string> TestPki::issue(const std::string& cn,
                                                   const std::vector<std::string>& dns,
                                                   const std::vector<std::string>& ips,
                                                   bool server) {
  auto key = pki::PrivateKey::generateEcP256();
  if (!key.isOk()) throw std::runtime_error(key.status().toString());
  pki::IssueOptions o;
  o.common_name = cn;
  o.dns_names = dns;
  o.ip_addresses = ips;
  o.validity = std::chrono::hours(24);
  o.server_auth = server;
  o.client_auth = !server;
  auto cert = pki::issueCertificate(ca_pem, ca_key, *key->publicKeyDer(), o);
  if (!cert.isOk()) throw std::runtime_error(cert.status().toString());
  return {*cert, *key->toPem()};
}

std::string httpResponse(int status, const std::string& content_type, const std::string& body,
                         const std::string& extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra_headers + "\r\n" + body;
}

struct TlsTestServer::Impl {
  asio::io_context io;
  asio::ssl::context ctx{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{io};
};

namespace {

// Reads a request (headers + Content-Length body) from the TLS stream.
bool readRequest(asio::ssl::stream<tcp::socket>& s, TestRequest& req) {
  std::string buf;
  boost::system::error_code ec;
  size_t n = asio::read_until(s, asio::dynamic_buffer(buf), "\r\n\r\n", ec);
  if (ec) return false;
  req.headers = buf.substr(0, n);
  buf.erase(0, n);
  auto sp1 = req.headers.find(' ');
  auto sp2 = req.headers.find(' ', sp1 + 1);
  req.method = req.headers.substr(0, sp1);
  req.target = req.headers.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t length = 0;
  auto pos = req.headers.find("Content-Length: ");
  if (pos != std::string::npos) length = std::stoul(req.headers.substr(pos + 16));
  if (buf.size() < length) {
    asio::read(s, asio::dynamic_buffer(buf), asio::transfer_exactly(length - buf.size()), ec);
    if (ec) return false;
  }
  req.body = buf.substr(0, length);
  return true;
}

void noteClientCert(asio::ssl::stream<tcp::socket>& s, TestRequest& req) {
  X509* peer = SSL_get1_peer_certificate(s.native_handle());
  if (peer == nullptr) return;
  req.had_client_cert = true;
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
  req.client_cn = cn;
  X509_free(peer);
}

}  // namespace

TlsTestServer::TlsTestServer(Options options, TestHandler handler)
    : TlsTestServer(std::move(options), [handler = std::move(handler)](
                                            const TestRequest& req,
                                            const std::function<bool(std::string_view)>& write) {
        write(handler(req));
      }) {}

TlsTestServer::TlsTestServer(Options options, TestStreamHandler handler)
    : impl_(std::make_unique<Impl>()), handler_(std::move(handler)) {
  impl_->ctx.use_certificate_chain(asio::buffer(options.cert_pem));
  impl_->ctx.use_private_key(asio::buffer(options.key_pem), asio::ssl::context::pem);
  if (!options.client_ca_pem.empty()) {
    impl_->ctx.add_certificate_authority(asio::buffer(options.client_ca_pem));
    impl_->ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    // Without a session id context OpenSSL refuses to resume sessions of verified clients,
    // and libcurl resumes by default.
    static const unsigned char kSidCtx[] = "xiaoan-test";
    SSL_CTX_set_session_id_context(impl_->ctx.native_handle(), kSidCtx, sizeof kSidCtx - 1);
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] { run(); });
}

TlsTestServer::~TlsTestServer() {
  stop_ = true;
  // Wake the blocking accept with a plain connection.
  boost::system::error_code ec;
  tcp::socket wake(impl_->io);
  wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
}

void TlsTestServer::run() {
  while (!stop_) {
    tcp::socket sock(impl_->io);
    boost::system::error_code ec;
    impl_->acceptor.accept(sock, ec);
    if (ec || stop_) continue;
    ++connections_;
    asio::ssl::stream<tcp::socket> s(std::move(sock), impl_->ctx);
    s.handshake(asio::ssl::stream_base::server, ec);
    if (ec) continue;
    TestRequest req;
    if (!readRequest(s, req)) continue;
    noteClientCert(s, req);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    handler_(req, [&](std::string_view piece) {
      asio::write(s, asio::buffer(piece.data(), piece.size()), ec);
      return !ec && !stop_;
    });
    s.shutdown(ec);
  }
}

std::string TlsTestServer::url(const std::string& path, const std::string& host) const {
  return "https://" + host + ":" + std::to_string(port_) + path;
}

std::vector<TestRequest> TlsTestServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("SilentListener: bind/listen failed");
  }
  port_ = ntohs(a.sin_port);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t unusedPort() {
  SilentListener l;
  return l.port();
}

}  // namespace xiaoan::testing
