#include "platform/net/http_client.h"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <memory>
#include <mutex>
#include <string_view>

namespace xiaoan {
namespace {

// Retry-After values beyond this are clamped: a hostile or broken server must not park us.
constexpr uint32_t kMaxRetryAfterSeconds = 24 * 3600;
// Response headers beyond this are refused (they count against nothing else).
constexpr size_t kMaxHeaderBytes = 64 * 1024;

// libcurl wants one process-wide initialisation before any handle exists.
void ensureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// The body kept of a non-2xx answer to a download (it only explains the error).
constexpr size_t kMaxDownloadErrorBody = 64 * 1024;

// State of one transfer, shared with the callbacks.
struct Transfer {
  size_t max_body = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
  size_t header_bytes = 0;
  HttpResponse response;
  // Downloads only: where 2xx bodies go, and what stopped the transfer on our side.
  const DownloadSink* sink = nullptr;
  DownloadHead head;  // of the current answer (status parsed from its status line)
  bool head_delivered = false;
  Status sink_error;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequalsPrefix(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// Retry-After is either delta-seconds or an HTTP-date.
std::optional<uint32_t> parseRetryAfter(std::string_view value) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  uint64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && ptr == value.data() + value.size()) {
    return static_cast<uint32_t>(std::min<uint64_t>(seconds, kMaxRetryAfterSeconds));
  }
  if (ec == std::errc::result_out_of_range) return kMaxRetryAfterSeconds;
  std::string date(value);
  time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  time_t now = std::time(nullptr);
  if (when <= now) return 0;
  return static_cast<uint32_t>(
      std::min<int64_t>(static_cast<int64_t>(when - now), kMaxRetryAfterSeconds));
}

// "HTTP/1.1 206 Partial Content" -> 206; 0 when unparsable.
long parseStatusLine(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  std::string_view code = line.substr(space + 1, 3);
  long status = 0;
  auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
  return ec == std::errc() && ptr == code.data() + code.size() ? status : 0;
}

// "bytes N-M/T" -> N.
std::optional<uint64_t> parseContentRangeStart(std::string_view value) {
  value = trim(value);
  if (!iequalsPrefix(value, "bytes ")) return std::nullopt;
  value.remove_prefix(6);
  uint64_t start = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), start);
  if (ec != std::errc() || ptr == value.data() + value.size() || *ptr != '-') return std::nullopt;
  return start;
}

bool isSuccess(long status) { return status >= 200 && status <= 299; }

// A download body piece: 2xx bodies go to the sink, others are kept (capped) for the error.
size_t downloadWrite(Transfer& t, std::string_view piece) {
  if (!isSuccess(t.head.status)) {
    const size_t room =
        kMaxDownloadErrorBody - std::min(kMaxDownloadErrorBody, t.response.body.size());
    t.response.body.append(piece.substr(0, room));
    return piece.size();
  }
  t.sink_error = t.sink->on_data(piece);
  return t.sink_error.isOk() ? piece.size() : 0;
}

// End of a header block: a final 2xx answer of a download is announced to the sink.
size_t downloadHeadersDone(Transfer& t, size_t n) {
  if (!isSuccess(t.head.status) || t.head_delivered) return n;
  t.head_delivered = true;
  t.sink_error = t.sink->on_head(t.head);
  return t.sink_error.isOk() ? n : 0;
}

size_t writeCallback(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (t->sink != nullptr) return downloadWrite(*t, std::string_view(data, n));
  if (t->response.body.size() + n > t->max_body) {
    t->body_too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t headerCallback(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  t->header_bytes += n;
  if (t->header_bytes > kMaxHeaderBytes) {
    t->headers_too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  if (iequalsPrefix(line, "HTTP/")) {
    // A new response (e.g. after an interim 1xx): forget headers of the previous one.
    t->response.content_type.clear();
    t->response.retry_after_seconds.reset();
    t->head = DownloadHead{parseStatusLine(line), std::nullopt};
  } else if (t->sink != nullptr && trim(line).empty()) {
    return downloadHeadersDone(*t, n);
  } else if (iequalsPrefix(line, "content-range:")) {
    t->head.range_start = parseContentRangeStart(line.substr(14));
  } else if (iequalsPrefix(line, "content-type:")) {
    t->response.content_type = std::string(trim(line.substr(13)));
  } else if (iequalsPrefix(line, "retry-after:")) {
    t->response.retry_after_seconds = parseRetryAfter(line.substr(12));
  }
  return n;
}

ErrorCode mapCurlCode(CURLcode rc) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:  // untrusted chain or host name mismatch
      return ErrorCode::kTlsPinMismatch;
    case CURLE_SSL_CACERT_BADFILE:  // our own trust anchor file is unusable
    case CURLE_SSL_CERTPROBLEM:     // our own client certificate is unusable
    case CURLE_SSL_CIPHER:
      return ErrorCode::kConfigInvalid;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return ErrorCode::kTlsHandshake;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return ErrorCode::kCollectorUnreachable;
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorCode::kTimeout;
    case CURLE_FILESIZE_EXCEEDED:
      return ErrorCode::kTooLarge;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return ErrorCode::kInvalidArgument;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
      return ErrorCode::kProtocol;
    case CURLE_ABORTED_BY_CALLBACK:
      return ErrorCode::kCancelled;
    default:
      return ErrorCode::kInternal;
  }
}

// Options that stay the same for every request of this client.
Status applyFixedOptions(CURL* c, const HttpClientOptions& o) {
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption opt, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, value);
  };
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  // Only our pinned bundle: no CA directory, no native/system store.
  set(CURLOPT_CAINFO, o.ca_file.c_str());
  set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  set(CURLOPT_SSL_OPTIONS, 0L);
  set(CURLOPT_PROXY, "");  // ignore *_proxy environment variables
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count()));
  set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.low_speed_bytes_per_second));
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_response_bytes));
  set(CURLOPT_USERAGENT, o.user_agent.c_str());
  set(CURLOPT_WRITEFUNCTION, &writeCallback);
  set(CURLOPT_HEADERFUNCTION, &headerCallback);
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  if (!o.client_cert_file.empty()) {
    set(CURLOPT_SSLCERT, o.client_cert_file.c_str());
    set(CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!o.client_key_file.empty()) {
    set(CURLOPT_SSLKEY, o.client_key_file.c_str());
    set(CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (rc != CURLE_OK) {
    return Status(ErrorCode::kInternal,
                  std::string("curl_easy_setopt failed: ") + curl_easy_strerror(rc));
  }
  return Status::ok();
}

// The Status for a failed transfer.
// A certificate outside its validity period is almost always this PC's clock (restore cards,
// dead CMOS batteries), not an interception: say so.
bool certificateTimeInvalid(CURL* curl) {
  long verify = X509_V_OK;
  if (curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &verify) != CURLE_OK) return false;
  return verify == X509_V_ERR_CERT_NOT_YET_VALID || verify == X509_V_ERR_CERT_HAS_EXPIRED;
}

Status transportError(CURL* curl, const std::string& url, CURLcode rc, const char* errbuf,
                      const Transfer& t) {
  if (!t.sink_error.isOk()) return t.sink_error;
  if (t.body_too_large) {
    return Status(ErrorCode::kTooLarge,
                  url + ": response larger than " + std::to_string(t.max_body) + " bytes");
  }
  if (t.headers_too_large)
    return Status(ErrorCode::kTooLarge, url + ": response headers too large");
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  ErrorCode code = mapCurlCode(rc);
  if (rc == CURLE_PEER_FAILED_VERIFICATION && certificateTimeInvalid(curl)) {
    code = ErrorCode::kTlsCertTime;
  }
  // A download that started and then crawled (or ran past its deadline): the peer is slow,
  // not absent.
  if (rc == CURLE_OPERATION_TIMEDOUT && t.head_delivered) code = ErrorCode::kDownloadTooSlow;
  // With TLS 1.3 a server that refuses our client certificate says so with an alert after
  // the handshake, which libcurl reports as a read error: that is a TLS failure, not an
  // unreachable collector.
  if ((rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) &&
      detail.find("SSL routines") != std::string::npos) {
    code = ErrorCode::kTlsHandshake;
  }
  return Status(code, url + ": " + detail + " (curl " + std::to_string(rc) + ")");
}

}  // namespace

ErrorCode errorCodeForHttpStatus(long status) {
  switch (status) {
    case 400:
      return ErrorCode::kProtocol;
    case 401:
      return ErrorCode::kUnauthorized;
    case 403:
      return ErrorCode::kForbidden;
    case 413:
      return ErrorCode::kTooLarge;
    case 429:
      return ErrorCode::kRateLimited;
    case 503:
      return ErrorCode::kOverloaded;
    default:
      return ErrorCode::kHttpStatus;
  }
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  ensureCurlGlobalInit();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

// One call of perform(): what to send, and the download limits when streaming.
struct HttpClient::Request {
  const std::string& url;
  const std::string* body = nullptr;  // POST when set, else GET
  std::string content_type;
  const std::map<std::string, std::string>& headers;
  const DownloadOptions* download = nullptr;
  const DownloadSink* sink = nullptr;
  const char* method = nullptr;  // overrides GET/POST (PUT, DELETE)
};

Result<HttpResponse> HttpClient::post(const std::string& url, const std::string& content_type,
                                      const std::string& body,
                                      const std::map<std::string, std::string>& headers) {
  return perform({url, &body, content_type, headers});
}

Result<HttpResponse> HttpClient::get(const std::string& url,
                                     const std::map<std::string, std::string>& headers) {
  return perform({url, nullptr, "", headers});
}

Result<HttpResponse> HttpClient::send(const std::string& method, const std::string& url,
                                      const std::string& content_type, const std::string* body,
                                      const std::map<std::string, std::string>& headers) {
  return perform({url, body, content_type, headers, nullptr, nullptr, method.c_str()});
}

Result<HttpResponse> HttpClient::download(const std::string& url, const DownloadOptions& options,
                                          const DownloadSink& sink) {
  std::map<std::string, std::string> headers = options.headers;
  if (options.resume_from) headers["Range"] = "bytes=" + std::to_string(*options.resume_from) + "-";
  return perform({url, nullptr, "", headers, &options, &sink});
}

namespace {

// The request headers; null when out of memory.
SlistPtr headerList(bool has_body, const std::string& content_type,
                    const std::map<std::string, std::string>& headers) {
  SlistPtr list;
  auto add = [&](const std::string& line) {
    list.reset(curl_slist_append(list.release(), line.c_str()));
  };
  add("Expect:");  // no 100-continue round trip
  if (has_body) add("Content-Type: " + content_type);
  for (const auto& [name, value] : headers) add(name + ": " + value);
  return list;
}

// Per-download limits on top of the fixed options (reset by the next applyFixedOptions).
void applyDownloadOptions(CURL* c, const DownloadOptions& o) {
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.deadline.count()));
  if (o.min_bytes_per_second > 0) {
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.min_bytes_per_second));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<int64_t>(1, o.min_rate_window.count())));
  }
  // The sink caps the length; the in-memory cap does not apply to a streamed body.
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(0));
}

}  // namespace

Result<HttpResponse> HttpClient::perform(const Request& request) {
  auto* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return Status(ErrorCode::kInternal, "curl_easy_init failed");
  // Without a trust anchor libcurl would fall back to OpenSSL's default (system) store.
  if (options_.ca_file.empty()) {
    return Status(ErrorCode::kConfigInvalid, "HTTPS client needs a CA bundle file");
  }
  XIAOAN_RETURN_IF_ERROR(applyFixedOptions(c, options_));
  if (request.download != nullptr) applyDownloadOptions(c, *request.download);

  SlistPtr list = headerList(request.body != nullptr, request.content_type, request.headers);
  if (!list) return Status(ErrorCode::kInternal, "curl_slist_append failed");

  Transfer t;
  t.max_body = options_.max_response_bytes;
  t.sink = request.sink;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (request.body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  // Set on every call: the handle is reused and would keep an earlier method.
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method);

  CURLcode rc = curl_easy_perform(c);
  // Do not leave pointers to this frame in the handle.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  if (rc != CURLE_OK) return transportError(c, request.url, rc, errbuf, t);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.response.status);
  // A 2xx answer with no header block end seen cannot happen with libcurl; be safe anyway.
  if (t.sink != nullptr && isSuccess(t.response.status) && !t.head_delivered) {
    t.head.status = t.response.status;
    XIAOAN_RETURN_IF_ERROR(t.sink->on_head(t.head));
  }
  return std::move(t.response);
}

}  // namespace xiaoan
