#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "agent/content/artifact_fetcher.h"
#include "platform/net/http_client.h"

namespace xiaoan::agent::content {

struct ArtifactDownloaderOptions {
  std::string base_url;    // "https://host:port"
  HttpClientOptions http;  // the agent's mTLS client: pinned CA, agent certificate and key
  // Downloads fail below this rate, averaged over 30 s (bootstrap download_min_bytes_per_second).
  uint32_t min_bytes_per_second = 1024;
  // Tests shorten the 30 s rate window; never set from configuration.
  std::optional<std::chrono::seconds> rate_window_for_test;
};

// GET {base_url}/v1/artifacts/sha256/<hex> into <hex>.part, then verified into the store.
// A .part left by an interrupted download is continued with "Range: bytes=N-" (206; a 200
// answer starts over). Never writes more than the signed length (E_TOO_LARGE, .part deleted);
// slower than the minimum rate or past a deadline of 60 s + length / 64 KiB/s is
// E_DOWNLOAD_TOO_SLOW (.part kept for the next attempt). One instance per thread.
class ArtifactDownloader final : public ArtifactFetcher {
 public:
  explicit ArtifactDownloader(ArtifactDownloaderOptions options);

  Status fetch(const v1::Artifact& artifact, ArtifactStore& store) override;

  // The deadline for an artifact of `length` bytes.
  static std::chrono::milliseconds deadlineFor(uint64_t length);

 private:
  Status transfer(const v1::Artifact& artifact, const std::string& part);
  DownloadOptions limitsFor(const v1::Artifact& artifact, uint64_t offset) const;

  ArtifactDownloaderOptions options_;
  HttpClient http_;
};

}  // namespace xiaoan::agent::content
