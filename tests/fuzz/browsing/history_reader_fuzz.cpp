// The history reader over arbitrary files: malformed SQLite, unexpected schemas, odd column
// types, a WAL next to the database. The first byte picks whether the input is split into a
// database and its -wal (at the offset in the next two bytes); the reader must return an
// error or visits, never crash, hang or write outside its copy.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "agent/browsing/history_reader.h"
#include "agent/browsing/site_matcher.h"
#include "agent/browsing/visit_builder.h"
#include "platform/process_info.h"

namespace {

void writeFile(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

// Removes the scratch database and its sidecars when the process exits.
struct ScratchFiles {
  std::string path;
  ~ScratchFiles() {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
      std::remove((path + suffix).c_str());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xiaoan::agent::browsing;
  static const std::string path =
      "/tmp/xiaoan-history-fuzz-" + std::to_string(xiaoan::currentProcessId()) + ".db";
  static const ScratchFiles scratch{path};
  if (size < 3) return 0;
  size_t db_size = size - 3;
  if (data[0] & 1) db_size = std::min<size_t>(db_size, size_t{data[1]} << 8 | data[2]);
  std::remove((path + "-journal").c_str());
  std::remove((path + "-shm").c_str());
  writeFile(path, data + 3, db_size);
  if (db_size < size - 3) {
    writeFile(path + "-wal", data + 3 + db_size, size - 3 - db_size);
  } else {
    std::remove((path + "-wal").c_str());
  }
  auto reader = HistoryReader::open(path);
  if (!reader.isOk()) return 0;
  static const xiaoan::v1::BrowsingPolicy policy = [] {
    xiaoan::v1::BrowsingPolicy p;
    auto* r = p.add_site_rules();
    r->set_category(xiaoan::v1::SITE_CATEGORY_GAMBLING);
    r->add_domains("bet.com");
    r->add_title_keywords("赌博");
    return p;
  }();
  static const VisitBuilder builder(policy);
  static const SiteMatcher matcher(policy);
  const BrowserProfile profile{1000,      "fuzz", xiaoan::v1::BROWSER_KIND_CHROME,
                               "Default", path,   reader->format() == HistoryFormat::kFirefox};
  HistoryCursor cursor;
  for (int round = 0; round < 64; ++round) {
    auto batch = reader->readAfter(cursor, 100);
    if (!batch.isOk()) break;
    for (const RawVisit& v : batch->visits) {
      auto built = builder.build(profile, v);
      if (built) {
        (void)matcher.match(built->domain(), v.url, v.title);
        std::string bytes;
        if (!built->SerializeToString(&bytes)) __builtin_trap();  // always valid UTF-8
      }
    }
    if (!batch->more || batch->next == cursor) break;
    cursor = batch->next;
  }
  (void)reader->hasVisit(cursor);
  return 0;
}
