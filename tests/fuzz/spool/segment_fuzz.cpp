// Fuzzes spool recovery and reads (RELIABILITY.md D4, I4, P1): the input becomes the segment
// file of a spool directory, which is then opened, read, appended to, acked and reopened.
// Opening must never fail because of the file's content, and a repaired spool must reopen
// without further repairs.
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/spool/spool.h"
#include "platform/clock.h"
#include "platform/logging.h"

namespace {

namespace fs = std::filesystem;
using xiaoan::agent::kActivityStream;
using xiaoan::agent::kSecurityStream;
using xiaoan::agent::Spool;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "spool fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

// A private directory for all runs, removed at exit. Held by a never-destroyed pointer so
// that the exit handler can still use it.
const std::string& rootDir() {
  static const std::string* root = [] {
    xiaoan::setLogLevel("off");
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "xiaoan-spool-fuzz-XXXXXX").string();
    check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(rootDir(), ec);
    });
    return new std::string(tmpl);
  }();
  return *root;
}

xiaoan::agent::SpoolOptions options(const xiaoan::Clock* clock) {
  xiaoan::agent::SpoolOptions o;
  o.dir = rootDir() + "/spool";
  o.max_bytes = 64 * 1024;  // small, so that appends exercise the cap
  o.segment_bytes = 4096;
  o.clock = clock;
  return o;
}

// Reads a stream to the end; returns the number of records, checking seq order.
uint64_t drain(Spool& spool, std::string_view stream) {
  uint64_t after = 0;
  uint64_t n = 0;
  for (int batches = 0; batches < 100000; ++batches) {
    auto batch = spool.readPending(stream, 64, 1 << 20, after);
    check(batch.isOk(), "readPending failed");
    if (batch->empty()) return n;
    for (const auto& e : *batch) {
      check(e.seq() > after, "seqs not increasing");
      check(e.stream() == stream, "record of another stream");
      after = e.seq();
      ++n;
    }
  }
  check(false, "readPending does not end");
  return n;
}

void exercise(Spool& spool) {
  for (std::string_view stream : {kSecurityStream, kActivityStream}) {
    uint64_t read = drain(spool, stream);
    auto stats = spool.stats();
    const auto& st = stats.streams[stream == kSecurityStream ? 0 : 1];
    check(read <= st.pending_records, "more records read than pending");
    check(st.acked_seq <= st.last_seq, "ack beyond last seq");
  }
  xiaoan::v1::Event e;
  e.set_priority(xiaoan::v1::PRIORITY_ACTIVITY);
  e.mutable_diagnostic()->set_text("fuzz");
  auto before = spool.stats().streams[1];
  auto r = spool.append(e);
  check(r.isOk(), "append failed");
  check(r->seq == before.last_seq + 1, "seq not contiguous");
  auto last = spool.readPending(kActivityStream, 1, 1 << 20, r->seq - 1);
  check(last.isOk() && last->size() == 1 && (*last)[0].seq() == r->seq, "appended not read");
  check(spool.ack(kActivityStream, r->epoch, r->seq / 2).isOk(), "ack failed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static xiaoan::SystemClock clock;
  std::string dir = rootDir() + "/spool";
  fs::remove_all(dir);
  fs::create_directories(dir + "/activity");
  {
    std::ofstream out(dir + "/activity/00000000000000000001.seg", std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  {
    auto spool = Spool::open(options(&clock));
    check(spool.isOk(), "open failed on bad data");
    exercise(**spool);
  }
  auto again = Spool::open(options(&clock));
  check(again.isOk(), "reopen failed");
  auto stats = (*again)->stats();
  check(stats.torn_bytes_truncated == 0 && stats.bad_files_set_aside == 0,
        "repairs not stable across reopen");
  drain(**again, kActivityStream);
  return 0;
}
