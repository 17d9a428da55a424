#include "agent/content/artifact_downloader.h"

#include <cstdio>

#include "common/trust/metadata.h"
#include "platform/file.h"
#include "platform/logging.h"

namespace xiaoan::agent::content {
namespace {

constexpr std::chrono::seconds kBaseDeadline{60};
constexpr uint64_t kDeadlineBytesPerSecond = 64 * 1024;
constexpr std::chrono::seconds kRateWindow{30};

// The .part file of one download: appends only, restarts from 0 when the server ignores Range.
class PartFile {
 public:
  static Result<PartFile> open(const std::string& path) {
    auto file = File::open(path, OpenOptions::write(OpenCreate::kCreate, 0600));
    if (!file.isOk()) return ioError("open " + path, file.status());
    auto end = file->seekEnd();
    if (!end.isOk()) return ioError("seek " + path, end.status());
    return PartFile(path, std::move(*file), *end);
  }

  uint64_t size() const { return size_; }

  Status restart() {
    Status st = file_.truncate(0);
    if (st.isOk()) st = file_.rewind();
    if (!st.isOk()) return ioError("truncate " + path_, st);
    size_ = 0;
    return Status::ok();
  }

  Status append(std::string_view data) {
    if (Status st = file_.writeAll(data); !st.isOk()) return ioError("write " + path_, st);
    size_ += data.size();
    return Status::ok();
  }

  Status sync() {
    if (Status st = file_.sync(); !st.isOk()) return ioError("fsync " + path_, st);
    return Status::ok();
  }

 private:
  PartFile(std::string path, File file, uint64_t size)
      : path_(std::move(path)), file_(std::move(file)), size_(size) {}
  // The .part lives in our own directory: any failure there is E_IO for the download logic.
  static Status ioError(const std::string& what, const Status& cause) {
    return Status(ErrorCode::kIo, what + ": " + cause.message(), cause.sysErrno());
  }
  std::string path_;
  File file_;
  uint64_t size_;
};

// Checks the head of an answer against the .part it continues.
Status acceptHead(const DownloadHead& head, PartFile& part) {
  if (head.status == 206) {
    if (head.range_start && *head.range_start == part.size()) return Status::ok();
    return Status(ErrorCode::kProtocol,
                  "206 answer does not continue at byte " + std::to_string(part.size()));
  }
  // Anything else 2xx is the whole artifact again.
  return part.size() == 0 ? Status::ok() : part.restart();
}

}  // namespace

ArtifactDownloader::ArtifactDownloader(ArtifactDownloaderOptions options)
    : options_(std::move(options)), http_(options_.http) {}

std::chrono::milliseconds ArtifactDownloader::deadlineFor(uint64_t length) {
  return kBaseDeadline + std::chrono::seconds(length / kDeadlineBytesPerSecond);
}

Status ArtifactDownloader::fetch(const v1::Artifact& artifact, ArtifactStore& store) {
  if (artifact.length() > trust::kMaxArtifactBytes) {
    return Status(ErrorCode::kTooLarge, describeArtifact(artifact) + " is larger than 1 GiB");
  }
  if (store.holdsVerified(artifact)) return Status::ok();
  const std::string part = store.partPath(artifact);
  // A complete .part from an interrupted run only needs its check (a bad one is deleted).
  auto st = statPath(part);
  if (st.isOk() && st->size == artifact.length() && store.commitPart(artifact).isOk()) {
    return Status::ok();
  }
  XIAOAN_RETURN_IF_ERROR(transfer(artifact, part));
  return store.commitPart(artifact);
}

DownloadOptions ArtifactDownloader::limitsFor(const v1::Artifact& artifact, uint64_t offset) const {
  DownloadOptions o;
  if (offset > 0) o.resume_from = offset;
  o.deadline = deadlineFor(artifact.length());
  o.min_bytes_per_second = options_.min_bytes_per_second;
  o.min_rate_window = options_.rate_window_for_test.value_or(kRateWindow);
  return o;
}

Status ArtifactDownloader::transfer(const v1::Artifact& artifact, const std::string& part_path) {
  XIAOAN_ASSIGN_OR_RETURN(PartFile part, PartFile::open(part_path));
  if (part.size() > artifact.length()) XIAOAN_RETURN_IF_ERROR(part.restart());
  const std::string url = options_.base_url + "/v1/artifacts/sha256/" + artifactHex(artifact);
  componentLogger(LogComponent::kAgentContent)
      ->info("downloading {} from byte {}", describeArtifact(artifact), part.size());
  DownloadSink sink;
  sink.on_head = [&](const DownloadHead& head) { return acceptHead(head, part); };
  sink.on_data = [&](std::string_view piece) {
    if (part.size() + piece.size() > artifact.length()) {
      return Status(ErrorCode::kTooLarge, describeArtifact(artifact) +
                                              ": the collector sent more than the signed " +
                                              std::to_string(artifact.length()) + " bytes");
    }
    return part.append(piece);
  };
  auto response = http_.download(url, limitsFor(artifact, part.size()), sink);
  Status st = response.isOk() ? part.sync() : response.status();
  // Too much, or not where we asked: nothing of it can be trusted to continue from.
  bool start_over = st.code() == ErrorCode::kTooLarge || st.code() == ErrorCode::kProtocol;
  if (st.isOk() && (response->status < 200 || response->status > 299)) {
    // 404: the collector does not hold (or no longer holds) the artifact.
    const long status = response->status;
    st = Status(status == 404 ? ErrorCode::kNotFound : errorCodeForHttpStatus(status),
                url + ": HTTP " + std::to_string(status));
    start_over = status == 416;  // the .part does not fit the artifact
  } else if (st.isOk() && part.size() != artifact.length()) {
    // Kept: the next attempt continues where this answer stopped.
    st = Status(ErrorCode::kCollectorUnreachable,
                describeArtifact(artifact) + ": answer ended after " + std::to_string(part.size()) +
                    " of " + std::to_string(artifact.length()) + " bytes");
  }
  if (start_over || (!st.isOk() && part.size() == 0)) std::remove(part_path.c_str());
  return st;
}

}  // namespace xiaoan::agent::content
