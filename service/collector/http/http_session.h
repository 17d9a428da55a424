#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "service/collector/http/http_types.h"

namespace xiaoan::collector {

using RequestParser = http::request_parser<http::string_body>;

// Limits a fresh parser gets before the headers are read: the header cap, and no body limit
// yet, because Beast checks Content-Length against it while parsing the header (and treats
// "no limit" as exceeded in 1.74). The per-route body limit is applied after the headers.
void prepareRequestParser(RequestParser& parser, const ListenerOptions& options);

// The key a connection is counted under in its listener's per-address budget: the peer's
// address without the port, an IPv4-mapped IPv6 address as plain IPv4.
std::string connectionBudgetKey(const boost::asio::ip::address& address);

// What the sessions of one listener share. Owned by the listener, kept alive by sessions.
struct ListenerContext {
  ListenerContext(ListenerOptions opts, boost::asio::ssl::context& tls_ctx, RequestHandler& h,
                  ServerState& state)
      : options(std::move(opts)), tls(tls_ctx), handler(h), server(state) {}

  // Takes one connection of the listener's budget and of `key`'s (connectionBudgetKey); false
  // (nothing taken) when either is spent. The session that got it gives it back (release).
  bool admit(const std::string& key);
  void release(const std::string& key);

  ListenerOptions options;
  boost::asio::ssl::context& tls;
  RequestHandler& handler;
  ServerState& server;
  std::atomic<size_t> connections{0};
  std::atomic<uint64_t> body_bytes{0};  // reserved by requests whose body is being read

 private:
  std::mutex mu_;
  // Source address -> connections; only addresses holding one are present, so the table is
  // never larger than the listener's connection cap.
  std::unordered_map<std::string, size_t> per_address_;
};

// One TLS connection: handshake, then requests one at a time (keep-alive), each bounded in
// header size, body size and time. All callbacks run on the connection's strand.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `budget_key` was admitted by ctx->admit(); the session releases it when it ends.
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ListenerContext> ctx,
              std::string budget_key);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void start();

 private:
  using Clock = std::chrono::steady_clock;

  void onHandshake(boost::beast::error_code ec);
  void readHeader();
  void onHeader(boost::beast::error_code ec, size_t bytes);
  bool rejectBeforeBody();
  bool reserveBody(uint64_t bytes);
  void releaseBody();
  void readBody();
  void onBody(boost::beast::error_code ec, size_t bytes);
  void dispatch();
  void send(HttpResponse response, bool close);
  void onWrite(bool close, boost::beast::error_code ec, size_t bytes);
  void sendFile(FileResponse response);
  void writeFileChunk(bool close);
  void onFileChunk(bool close, boost::beast::error_code ec, size_t bytes);
  void sendError(http::status status, ErrorCode code, const std::string& message);
  void closeConnection();
  void finishRequest();

  boost::asio::ssl::stream<boost::beast::tcp_stream> stream_;
  std::shared_ptr<ListenerContext> ctx_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::shared_ptr<HttpResponse> response_;
  // A file answer is written piece by piece, each piece with its own write deadline, within an
  // overall deadline that allows for a minimum transfer rate.
  std::shared_ptr<FileResponse> file_response_;
  std::shared_ptr<http::response_serializer<FileBody>> file_serializer_;
  Clock::time_point file_deadline_;
  PeerInfo peer_;
  const std::string budget_key_;
  Clock::time_point request_deadline_;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool in_flight_ = false;
  uint64_t reserved_body_ = 0;
};

}  // namespace xiaoan::collector
