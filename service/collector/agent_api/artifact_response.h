#pragma once

#include <string_view>
#include <variant>

#include "service/collector/agent_api/agent_responses.h"
#include "service/collector/http/http_types.h"
#include "service/collector/store/artifact_store.h"

namespace xiaoan::collector {

inline constexpr std::string_view kArtifactPathPrefix = "/v1/artifacts/sha256/";

// The answer to GET /v1/artifacts/sha256/<hex> with an optional "Range: bytes=N-": the file
// streamed (200, or 206 with Content-Range from N on), or an ErrorResponse: 400 for a
// malformed address or range, 404 for an unknown artifact, 416 for N at or past the end.
// Files larger than trust::kMaxArtifactBytes are never served (500).
std::variant<FileResponse, HttpResponse> artifactResponse(const ArtifactStore& store,
                                                          std::string_view path,
                                                          std::string_view range,
                                                          const RetryAfterRange& retry);

}  // namespace xiaoan::collector
