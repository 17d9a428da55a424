#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "agent/spool/spool.h"
#include "platform/clock.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::testing {

using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

inline SpoolOptions smallOptions(const std::string& dir, const Clock* clock) {
  SpoolOptions o;
  o.dir = dir;
  o.max_bytes = 64ull << 20;
  o.segment_bytes = 4096;
  o.group_fsync_interval = std::chrono::milliseconds(20);
  o.clock = clock;
  return o;
}

inline std::unique_ptr<Spool> openSpool(const SpoolOptions& o) {
  auto spool = Spool::open(o);
  REQUIRE_MESSAGE(spool.isOk(), spool.status().toString());
  return std::move(spool).value();
}

// A diagnostic event of about `text_bytes` + 40 bytes serialized.
inline v1::Event testEvent(v1::Priority priority, uint32_t index, size_t text_bytes = 150) {
  v1::Event e;
  e.set_priority(priority);
  auto* d = e.mutable_diagnostic();
  d->set_text(std::string(text_bytes, 'x'));
  d->set_request_id("spool-test");
  d->set_index(index);
  return e;
}

inline AppendResult mustAppend(Spool& spool, v1::Event e) {
  auto r = spool.append(std::move(e));
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  return r.value();
}

// Everything pending in `stream`, read in batches the way the uploader does.
inline std::vector<v1::Event> readAll(Spool& spool, std::string_view stream) {
  std::vector<v1::Event> out;
  uint64_t after = 0;
  for (;;) {
    auto batch = spool.readPending(stream, 500, 4 << 20, after);
    REQUIRE_MESSAGE(batch.isOk(), batch.status().toString());
    if (batch->empty()) return out;
    for (auto& e : *batch) {
      CHECK(e.seq() > after);
      after = e.seq();
      out.push_back(std::move(e));
    }
  }
}

inline SpoolStreamStats streamStats(const Spool& spool, std::string_view stream) {
  for (const auto& s : spool.stats().streams) {
    if (s.stream == stream) return s;
  }
  FAIL("no stats for stream " << stream);
  return {};
}

// Segment files of one stream directory, sorted by name (= first seq).
inline std::vector<std::string> segmentFiles(const std::string& stream_dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(stream_dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline uint64_t segmentBytesOnDisk(const std::string& spool_dir) {
  uint64_t total = 0;
  for (const char* s : {"security", "activity"}) {
    for (const auto& f : segmentFiles(spool_dir + "/" + s)) total += std::filesystem::file_size(f);
  }
  return total;
}

inline std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void writeBytes(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}

}  // namespace xiaoan::agent::testing
