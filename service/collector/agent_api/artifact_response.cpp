#include "service/collector/agent_api/artifact_response.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/trust/metadata.h"

namespace xiaoan::collector {
namespace {

using Answer = std::variant<FileResponse, HttpResponse>;

// "bytes=N-" -> N; nullopt for anything else (other forms are not used by agents).
std::optional<uint64_t> rangeStart(std::string_view range) {
  constexpr std::string_view kPrefix = "bytes=";
  if (range.substr(0, kPrefix.size()) != kPrefix || range.size() < kPrefix.size() + 2 ||
      range.back() != '-') {
    return std::nullopt;
  }
  std::string_view digits = range.substr(kPrefix.size(), range.size() - kPrefix.size() - 1);
  uint64_t start = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), start);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return start;
}

Answer error(http::status status, ErrorCode code, const std::string& message,
             const RetryAfterRange& retry) {
  return agentErrorResponse(status, code, message, retry);
}

Answer unsatisfiable(uint64_t total, const RetryAfterRange& retry) {
  HttpResponse res = agentErrorResponse(http::status::range_not_satisfiable, ErrorCode::kProtocol,
                                        "range starts at or past the end", retry);
  res.set(http::field::content_range, "bytes */" + std::to_string(total));
  return res;
}

Answer ioFailure(std::string_view hex, const std::string& what, const RetryAfterRange& retry) {
  return agentErrorResponse(Status(ErrorCode::kIo, "artifact " + std::string(hex) + ": " + what),
                            retry);
}

// The file from `start` on, as a 200 (whole) or 206 (tail) answer.
Answer streamFrom(const std::string& file_path, std::string_view hex, uint64_t start,
                  uint64_t total, const RetryAfterRange& retry) {
  RangeFile file;
  boost::beast::error_code ec;
  file.openAt(file_path.c_str(), start, ec);
  FileResponse res{start > 0 ? http::status::partial_content : http::status::ok, 11};
  if (!ec) res.body().reset(std::move(file), ec);
  if (ec) return ioFailure(hex, ec.message(), retry);
  res.set(http::field::content_type, "application/octet-stream");
  res.set(http::field::accept_ranges, "bytes");
  if (start > 0) {
    res.set(http::field::content_range, "bytes " + std::to_string(start) + "-" +
                                            std::to_string(total - 1) + "/" +
                                            std::to_string(total));
  }
  return res;
}

}  // namespace

Answer artifactResponse(const ArtifactStore& store, std::string_view path, std::string_view range,
                        const RetryAfterRange& retry) {
  std::string_view hex = path.substr(std::min(path.size(), kArtifactPathPrefix.size()));
  if (path.substr(0, kArtifactPathPrefix.size()) != kArtifactPathPrefix || !isSha256Hex(hex)) {
    return error(http::status::bad_request, ErrorCode::kProtocol,
                 "artifact address must be 64 lower-case hex digits", retry);
  }
  std::optional<uint64_t> start = range.empty() ? 0 : rangeStart(range);
  if (!start) {
    return error(http::status::bad_request, ErrorCode::kProtocol,
                 "only 'Range: bytes=N-' is supported", retry);
  }
  std::optional<uint64_t> total = store.sizeOf(hex);
  if (!total)
    return error(http::status::not_found, ErrorCode::kNotFound, "no such artifact", retry);
  if (*total > trust::kMaxArtifactBytes) return ioFailure(hex, "larger than the cap", retry);
  if (*start > 0 && *start >= *total) return unsatisfiable(*total, retry);
  return streamFrom(store.pathOf(hex), hex, *start, *total, retry);
}

}  // namespace xiaoan::collector
