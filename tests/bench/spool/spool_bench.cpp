// Spool throughput: activity appends with group fsync, security appends with an fsync each,
// uploader-style reads, and as reference the raw write() of the same framed bytes.
//
//   xiaoan_spool_bench [--count N] [--security-count M] [--dir DIR]
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/spool/record_frame.h"
#include "agent/spool/spool.h"
#include "platform/clock.h"
#include "platform/file_util.h"

namespace xiaoan::agent {
namespace {

using Seconds = std::chrono::duration<double>;

struct Args {
  uint64_t count = 200000;
  uint64_t security_count = 2000;
  std::string dir;
};

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--count") a.count = std::strtoull(argv[i + 1], nullptr, 10);
    if (k == "--security-count") a.security_count = std::strtoull(argv[i + 1], nullptr, 10);
    if (k == "--dir") a.dir = argv[i + 1];
  }
  return a;
}

// About 200 bytes serialized once the spool has set stream, epoch, seq and times.
v1::Event benchEvent(v1::Priority priority, uint32_t i) {
  v1::Event e;
  e.set_priority(priority);
  e.set_boot_id("5f0e7a52-1b7c-4c1e-9d0e-2a6c1f3b9e44");
  auto* d = e.mutable_diagnostic();
  d->set_text("https://www.example.edu.cn/course/lesson?id=" + std::to_string(i) +
              std::string(45, 'q'));
  d->set_request_id("bench");
  d->set_index(i);
  return e;
}

double rate(uint64_t n, Seconds s) { return static_cast<double>(n) / s.count(); }

template <typename F>
Seconds timed(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::steady_clock::now() - t0;
}

std::unique_ptr<Spool> openOrDie(const SpoolOptions& o) {
  auto spool = Spool::open(o);
  if (!spool.isOk()) {
    std::fprintf(stderr, "open: %s\n", spool.status().toString().c_str());
    std::exit(1);
  }
  return std::move(spool).value();
}

void appendOrDie(Spool& spool, v1::Event e) {
  auto r = spool.append(std::move(e));
  if (!r.isOk()) {
    std::fprintf(stderr, "append: %s\n", r.status().toString().c_str());
    std::exit(1);
  }
}

// The frames the spool wrote for `stream`, one string each, in order.
std::vector<std::string> framesOf(const std::string& stream_dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(stream_dir)) {
    if (e.path().extension() == ".seg") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> frames;
  for (const auto& f : files) {
    std::string data = readFile(f, uint64_t{1} << 30).value();
    for (size_t pos = 0; pos + kFrameHeaderBytes <= data.size();) {
      size_t size = kFrameHeaderBytes + *framePayloadLength(data.data() + pos);
      frames.push_back(data.substr(pos, size));
      pos += size;
    }
  }
  return frames;
}

// write() per frame to one file, one fdatasync at the end (the spool's best case).
Seconds rawWrite(const std::string& path, const std::vector<std::string>& frames) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::exit(1);
  Seconds s = timed([&] {
    for (const auto& f : frames) {
      if (::write(fd, f.data(), f.size()) != static_cast<ssize_t>(f.size())) std::exit(1);
    }
    ::fdatasync(fd);
  });
  ::close(fd);
  return s;
}

Seconds readAll(Spool& spool, uint64_t expect) {
  uint64_t got = 0;
  uint64_t after = 0;
  Seconds s = timed([&] {
    for (;;) {
      auto batch = spool.readPending(kActivityStream, 500, 4 << 20, after);
      if (!batch.isOk() || batch->empty()) break;
      got += batch->size();
      after = batch->back().seq();
    }
  });
  if (got != expect)
    std::fprintf(stderr, "read %llu of %llu\n", (unsigned long long)got,
                 (unsigned long long)expect);
  return s;
}

int run(const Args& args) {
  SystemClock clock;
  SpoolOptions o;
  o.dir = args.dir + "/spool";
  o.clock = &clock;
  auto spool = openOrDie(o);

  Seconds act = timed([&] {
    for (uint64_t i = 0; i < args.count; ++i) {
      appendOrDie(*spool, benchEvent(v1::PRIORITY_ACTIVITY, static_cast<uint32_t>(i)));
    }
    (void)spool->sync();  // count the final fsync: everything durable at the end
  });
  Seconds sec = timed([&] {
    for (uint64_t i = 0; i < args.security_count; ++i) {
      appendOrDie(*spool, benchEvent(v1::PRIORITY_SECURITY, static_cast<uint32_t>(i)));
    }
  });
  Seconds rd = readAll(*spool, args.count);
  spool.reset();
  Seconds reopen = timed([&] { spool = openOrDie(o); });  // recovery scan of everything
  auto frames = framesOf(o.dir + "/activity");
  uint64_t bytes = 0;
  for (const auto& f : frames) bytes += f.size();
  Seconds raw = rawWrite(args.dir + "/raw.bin", frames);

  std::printf("records: %llu activity (%.0f bytes framed on average), %llu security\n",
              (unsigned long long)args.count, double(bytes) / double(frames.size()),
              (unsigned long long)args.security_count);
  std::printf("activity append (group fsync):   %10.0f events/s  %7.1f MB/s\n",
              rate(args.count, act), double(bytes) / act.count() / 1e6);
  std::printf("raw write() of the same frames:  %10.0f events/s  %7.1f MB/s\n",
              rate(frames.size(), raw), double(bytes) / raw.count() / 1e6);
  std::printf("security append (fsync each):    %10.0f events/s\n", rate(args.security_count, sec));
  std::printf("readPending, batches of 500:     %10.0f events/s\n", rate(args.count, rd));
  std::printf("reopen (recovery scan):          %10.1f ms for %llu records\n",
              reopen.count() * 1000, (unsigned long long)(args.count + args.security_count));
  std::printf("ratio activity / raw write:      %10.2f\n", raw.count() / act.count());
  std::printf("ratio security / activity:       %10.4f\n",
              rate(args.security_count, sec) / rate(args.count, act));
  return 0;
}

}  // namespace
}  // namespace xiaoan::agent

int main(int argc, char** argv) {
  auto args = xiaoan::agent::parseArgs(argc, argv);
  std::string tmp;
  if (args.dir.empty()) {
    tmp = (std::filesystem::temp_directory_path() / "xiaoan-spool-bench-XXXXXX").string();
    if (::mkdtemp(tmp.data()) == nullptr) return 1;
    args.dir = tmp;
  }
  int rc = xiaoan::agent::run(args);
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return rc;
}
