// The encrypted quarantine on real files: a round trip keeps bytes, owner, mode and mtime;
// tampering is refused; restore never overwrites; the key is made once; the size and count
// caps and the free-space reserve stop it without deleting anything, and the detection handler
// reports that (QUARANTINE_SKIPPED, a degraded condition).
#include "agent/scan/quarantine.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "agent/scan/detection_handler.h"
#include "agent/scan/path_text.h"
#include "common/crypto/ed25519.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

struct Env {
  TempDir dir;
  FakeClock clock;
  // What the file system says is free (the space probe the quarantine asks).
  uint64_t free_bytes = uint64_t{1} << 40;
  std::unique_ptr<Quarantine> q;
  Env() { reopen(); }
  void reopen() {
    q.reset();
    auto opened =
        Quarantine::open(dir.sub("state/quarantine"), clock,
                         [this](const std::string&) -> Result<uint64_t> { return free_bytes; });
    REQUIRE_MESSAGE(opened.isOk(), opened.status().toString());
    q = std::move(opened).value();
  }
  // A victim file with known attributes.
  std::string victim(const std::string& name, const std::string& data, mode_t mode = 0640) {
    const std::string path = dir.write(name, data);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    struct timespec times[2] = {{1'700'000'000, 123'456'789}, {1'700'000'000, 123'456'789}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
    return path;
  }
  QuarantineRequest request(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    v1::RuleMatch m;
    m.set_rule("EICAR_Test_File");
    m.add_tags("test");
    return QuarantineRequest{path, st.st_dev, st.st_ino, {m}, 7};
  }
  std::string binOf(const std::string& id) { return dir.sub("state/quarantine/" + id + ".bin"); }
};

std::string randomData(size_t n) {
  std::mt19937_64 rng(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST_CASE("quarantine and restore: bytes, mode, mtime and owner come back; the entry goes") {
  Env e;
  const std::string data = randomData(3 * (1 << 20) + 17);  // several chunks, odd tail
  const std::string path = e.victim("evil.exe", data);
  if (::geteuid() == 0) REQUIRE(::chown(path.c_str(), 1234, 2345) == 0);
  auto entry = e.q->add(e.request(path));
  REQUIRE_MESSAGE(entry.isOk(), entry.status().toString());
  CHECK_FALSE(exists(path));
  CHECK(isQuarantineId(entry->id()));
  CHECK(entry->path() == path);
  CHECK(entry->size() == data.size());
  CHECK(entry->sha256() == crypto::sha256(data));
  CHECK(entry->mode() == 0640);
  CHECK(entry->mtime().seconds() == 1'700'000'000);
  CHECK(entry->bundle_version() == 7);
  REQUIRE(entry->matches_size() == 1);
  CHECK(entry->matches(0).rule() == "EICAR_Test_File");
  // Encrypted at rest: the plaintext is nowhere in the file.
  const std::string stored = slurp(e.binOf(entry->id()));
  CHECK(stored.size() == data.size() + 32);
  CHECK(stored.find(data.substr(1000, 64)) == std::string::npos);
  REQUIRE(e.q->list().size() == 1);
  CHECK(e.q->count() == 1);

  std::string restored_to;
  auto back = e.q->restore(entry->id(), "", &restored_to);
  REQUIRE_MESSAGE(back.isOk(), back.status().toString());
  CHECK(restored_to == path);
  CHECK(slurp(path) == data);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_mtim.tv_sec == 1'700'000'000);
  CHECK(st.st_mtim.tv_nsec == 123'456'789);
  if (::geteuid() == 0) {
    CHECK(st.st_uid == 1234);
    CHECK(st.st_gid == 2345);
  }
  CHECK(e.q->count() == 0);
  CHECK_FALSE(exists(e.binOf(entry->id())));
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kNotFound);

  // Restored means "false positive": remembered across restarts while the file is unchanged.
  auto restored = [&] {
    struct stat now {};
    REQUIRE(::stat(path.c_str(), &now) == 0);
    return e.q->wasRestored(now.st_dev, now.st_ino, now.st_size,
                            now.st_mtim.tv_sec * 1'000'000'000ll + now.st_mtim.tv_nsec);
  };
  CHECK(restored());
  e.reopen();
  CHECK(restored());
  std::ofstream(path, std::ios::app) << "changed";
  CHECK_FALSE(restored());
}

TEST_CASE("a tampered or truncated quarantine file is refused and nothing is written") {
  Env e;
  const std::string path = e.victim("a.txt", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR");
  auto entry = e.q->add(e.request(path));
  REQUIRE(entry.isOk());
  std::string bin = slurp(e.binOf(entry->id()));
  std::string flipped = bin;
  flipped[20] ^= 0x01;
  std::ofstream(e.binOf(entry->id()), std::ios::binary | std::ios::trunc) << flipped;
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kQuarantine);
  CHECK_FALSE(exists(path));
  CHECK(e.q->count() == 1);  // kept for a second look
  std::ofstream(e.binOf(entry->id()), std::ios::binary | std::ios::trunc)
      << bin.substr(0, bin.size() - 1);
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kQuarantine);
  // Another entry's file under this id does not pass either (the id is authenticated).
  const std::string other = e.victim("b.txt", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR");
  auto second = e.q->add(e.request(other));
  REQUIRE(second.isOk());
  std::ofstream(e.binOf(entry->id()), std::ios::binary | std::ios::trunc)
      << slurp(e.binOf(second->id()));
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kQuarantine);
  // No temp file left beside the target.
  for (const auto& f : std::filesystem::directory_iterator(e.dir.path())) {
    CHECK(f.path().filename().string().rfind(".xiaoan-restore-", 0) != 0);
  }
}

TEST_CASE("restore never overwrites; --to restores elsewhere; delete removes") {
  Env e;
  const std::string path = e.victim("doc.pdf", "payload");
  auto entry = e.q->add(e.request(path));
  REQUIRE(entry.isOk());
  e.victim("doc.pdf", "a new file in its place");
  auto refused = e.q->restore(entry->id(), "", nullptr);
  CHECK(refused.status().code() == ErrorCode::kQuarantine);
  CHECK(slurp(path) == "a new file in its place");
  CHECK(e.q->count() == 1);
  std::string to;
  REQUIRE(e.q->restore(entry->id(), e.dir.sub("doc.restored.pdf"), &to).isOk());
  CHECK(to == e.dir.sub("doc.restored.pdf"));
  CHECK(slurp(to) == "payload");
  CHECK(e.q->restore("not-an-id", "", nullptr).status().code() == ErrorCode::kNotFound);

  const std::string second = e.victim("x.bin", "bytes");
  auto entry2 = e.q->add(e.request(second));
  REQUIRE(entry2.isOk());
  REQUIRE(e.q->remove(entry2->id()).isOk());
  CHECK(e.q->count() == 0);
  CHECK_FALSE(exists(e.binOf(entry2->id())));
  CHECK(e.q->remove(entry2->id()).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("only the file that was scanned is moved") {
  Env e;
  const std::string path = e.victim("swap.exe", "first");
  QuarantineRequest req = e.request(path);
  // Moved aside (alive, so the new file cannot reuse its inode number) and replaced.
  REQUIRE(::rename(path.c_str(), e.dir.sub("swap.old").c_str()) == 0);
  e.victim("swap.exe", "replaced by another file");
  CHECK(e.q->add(req).status().code() == ErrorCode::kQuarantine);
  CHECK(slurp(path) == "replaced by another file");
  CHECK(e.q->count() == 0);
  REQUIRE(::symlink(path.c_str(), e.dir.sub("link").c_str()) == 0);
  CHECK_FALSE(e.q->add({e.dir.sub("link"), 0, 0, {}, 0}).isOk());  // never through a symlink
  CHECK(exists(path));
}

TEST_CASE("a directory swapped for a symlink redirects neither the move nor the restore") {
  Env e;
  std::filesystem::create_directories(e.dir.sub("Downloads"));
  std::filesystem::create_directories(e.dir.sub("etc"));
  const std::string path = e.victim("Downloads/passwd", "matched");
  QuarantineRequest req = e.request(path);
  // Between the scan and the move, the user makes Downloads point at a system directory.
  e.dir.write("etc/passwd", "precious");
  std::filesystem::rename(e.dir.sub("Downloads"), e.dir.sub("Downloads.real"));
  std::filesystem::create_directory_symlink(e.dir.sub("etc"), e.dir.sub("Downloads"));
  CHECK(e.q->add(req).status().code() == ErrorCode::kQuarantine);
  CHECK(slurp(e.dir.sub("etc/passwd")) == "precious");
  // Moved back, the file is quarantined; restoring through the symlink again is refused.
  std::filesystem::remove(e.dir.sub("Downloads"));
  std::filesystem::rename(e.dir.sub("Downloads.real"), e.dir.sub("Downloads"));
  auto entry = e.q->add(req);
  REQUIRE(entry.isOk());
  std::filesystem::rename(e.dir.sub("Downloads"), e.dir.sub("Downloads.real"));
  std::filesystem::create_directory_symlink(e.dir.sub("etc"), e.dir.sub("Downloads"));
  ::unlink(e.dir.sub("etc/passwd").c_str());
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kQuarantine);
  CHECK_FALSE(exists(e.dir.sub("etc/passwd")));
  CHECK(e.q->count() == 1);
}

// Everything below `dir`, as "relative/path" names, sorted.
std::vector<std::string> treeOf(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    out.push_back(std::filesystem::relative(f.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A user swaps a directory of the path for a symlink into a directory only root may write
// (the agent runs as root): the move and the restore fail with nothing taken from or written
// into that directory, whichever component is swapped and even with no inode check.
TEST_CASE("a parent swapped for a symlink into a root-only directory: nothing moved or written") {
  Env e;
  const std::string root_only = e.dir.sub("root-only");
  std::filesystem::create_directories(root_only + "/sub");
  REQUIRE(::chmod(root_only.c_str(), 0700) == 0);
  e.dir.write("root-only/passwd", "precious");
  const std::vector<std::string> before = treeOf(root_only);
  std::filesystem::create_directories(e.dir.sub("Downloads"));
  const std::string path = e.victim("Downloads/passwd", "matched");
  auto swapDownloads = [&] {
    std::filesystem::rename(e.dir.sub("Downloads"), e.dir.sub("Downloads.real"));
    std::filesystem::create_directory_symlink(root_only, e.dir.sub("Downloads"));
  };
  auto unswapDownloads = [&] {
    std::filesystem::remove(e.dir.sub("Downloads"));
    std::filesystem::rename(e.dir.sub("Downloads.real"), e.dir.sub("Downloads"));
  };

  // The move, with the identity check off (dev 0, ino 0): only the no-follow walk stops it.
  swapDownloads();
  auto moved = e.q->add({path, 0, 0, {}, 0});
  CHECK(moved.status().code() == ErrorCode::kQuarantine);
  CHECK(moved.status().message().find("symlink or not a directory") != std::string::npos);
  CHECK(treeOf(root_only) == before);
  CHECK(slurp(e.dir.sub("Downloads.real/passwd")) == "matched");
  CHECK(e.q->count() == 0);
  CHECK(treeOf(e.dir.sub("state/quarantine")) == std::vector<std::string>{"key"});

  // The restore: the parent swapped, a deeper component swapped, the name itself a symlink.
  unswapDownloads();
  auto entry = e.q->add(e.request(path));
  REQUIRE_MESSAGE(entry.isOk(), entry.status().toString());
  swapDownloads();
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kQuarantine);
  REQUIRE(::symlink(root_only.c_str(), e.dir.sub("via").c_str()) == 0);
  CHECK(e.q->restore(entry->id(), e.dir.sub("via/sub/passwd"), nullptr).status().code() ==
        ErrorCode::kQuarantine);
  unswapDownloads();
  REQUIRE(::symlink((root_only + "/new").c_str(), path.c_str()) == 0);
  CHECK(e.q->restore(entry->id(), "", nullptr).status().code() == ErrorCode::kQuarantine);
  CHECK(treeOf(root_only) == before);
  CHECK(e.q->count() == 1);
  for (const auto& name : treeOf(e.dir.sub("Downloads"))) CHECK(name == "passwd");
}

TEST_CASE("restore to a path with '..' (as xiaoanctl makes --to ../x absolute) goes there") {
  Env e;
  std::filesystem::create_directories(e.dir.sub("home/u"));
  const std::string path = e.victim("home/u/a.exe", "bytes");
  auto entry = e.q->add(e.request(path));
  REQUIRE(entry.isOk());
  auto back = e.q->restore(entry->id(), e.dir.sub("home/u/./../b.exe"), nullptr);
  REQUIRE_MESSAGE(back.isOk(), back.status().toString());
  CHECK(slurp(e.dir.sub("home/b.exe")) == "bytes");
}

TEST_CASE("the key is made once (0600) and kept; left-overs are cleaned at open") {
  Env e;
  const std::string key_path = e.dir.sub("state/quarantine/key");
  const std::string key = slurp(key_path);
  CHECK(key.size() == 32);
  struct stat st {};
  REQUIRE(::stat(key_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string path = e.victim("keep.exe", "still readable after a restart");
  auto entry = e.q->add(e.request(path));
  REQUIRE(entry.isOk());
  e.dir.write("state/quarantine/0123456789abcdef.bin.part", "half");
  e.dir.write("state/quarantine/fedcba9876543210.bin", "orphan");
  e.reopen();
  CHECK(slurp(key_path) == key);
  CHECK_FALSE(exists(e.dir.sub("state/quarantine/0123456789abcdef.bin.part")));
  CHECK_FALSE(exists(e.dir.sub("state/quarantine/fedcba9876543210.bin")));
  REQUIRE(e.q->restore(entry->id(), "", nullptr).isOk());
  CHECK(slurp(path) == "still readable after a restart");

  std::ofstream(key_path, std::ios::trunc) << "short";
  CHECK(Quarantine::open(e.dir.sub("state/quarantine"), e.clock).status().code() ==
        ErrorCode::kQuarantine);
}

TEST_CASE("a name that is not UTF-8 keeps its raw bytes and comes back to them") {
  Env e;
  const std::string name = std::string("caf\xE9-") + "\xFF.exe";
  const std::string path = e.victim(name, "latin-1 name");
  auto entry = e.q->add(e.request(path));
  REQUIRE(entry.isOk());
  CHECK(entry->raw_path() == path);
  CHECK(entry->path() == displayPath(path));
  CHECK(entry->path().find("\\xE9") != std::string::npos);
  REQUIRE(e.q->restore(entry->id(), "", nullptr).isOk());
  CHECK(slurp(path) == "latin-1 name");
}

}  // namespace
}  // namespace xiaoan::agent::scan

namespace xiaoan::agent::scan {
namespace {

Finding findingFor(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  Finding f;
  f.path = path;
  f.size = static_cast<uint64_t>(st.st_size);
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  f.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  f.sha256.fill(0xab);
  f.matches.push_back({"Miner_XMRig", "test", {}});
  return f;
}

TEST_CASE("the file-count cap stops the quarantine; nothing held is deleted; usage survives") {
  Env e;
  e.q->setLimits({uint64_t{1} << 30, 2, 0});
  REQUIRE(e.q->add(e.request(e.victim("a", "aaaa"))).isOk());
  REQUIRE(e.q->add(e.request(e.victim("b", "bbbbbb"))).isOk());
  const std::string third = e.victim("c", "cc");
  QuarantineRefusal why = QuarantineRefusal::kFailed;
  auto refused = e.q->add(e.request(third), &why);
  REQUIRE_FALSE(refused.isOk());
  CHECK(why == QuarantineRefusal::kNoRoom);
  CHECK(refused.status().code() == ErrorCode::kQuarantine);
  CHECK(refused.status().message().find("2 files, the cap is 2") != std::string::npos);
  CHECK(exists(third));  // left where it was
  CHECK(e.q->list().size() == 2);
  CHECK(e.q->usage().files == 2);
  CHECK(e.q->usage().bytes == 10);
  // Counted again at open (the agent restarted).
  e.reopen();
  CHECK(e.q->usage().files == 2);
  CHECK(e.q->usage().bytes == 10);
  // A deleted entry makes room.
  e.q->setLimits({uint64_t{1} << 30, 2, 0});
  REQUIRE(e.q->remove(e.q->list().front().id()).isOk());
  CHECK(e.q->usage().files == 1);
  CHECK(e.q->add(e.request(third)).isOk());
}

TEST_CASE("the size cap counts original sizes; a file that would pass it is refused") {
  Env e;
  e.q->setLimits({1 << 20, 1000, 0});
  REQUIRE(e.q->add(e.request(e.victim("a", randomData(700 * 1024)))).isOk());
  const std::string big = e.victim("b", randomData(400 * 1024));
  QuarantineRefusal why = QuarantineRefusal::kFailed;
  auto refused = e.q->add(e.request(big), &why);
  REQUIRE_FALSE(refused.isOk());
  CHECK(why == QuarantineRefusal::kNoRoom);
  CHECK(refused.status().message().find("would pass the cap of 1 MiB") != std::string::npos);
  CHECK(exists(big));
  // A smaller one still fits.
  CHECK(e.q->add(e.request(e.victim("c", randomData(300 * 1024)))).isOk());
  CHECK(e.q->usage().bytes == 1000 * 1024);
}

TEST_CASE("the free-space reserve: a copy that would leave less free is refused, nothing written") {
  Env e;
  e.q->setLimits({uint64_t{1} << 30, 1000, 10 << 20});
  e.free_bytes = (10 << 20) + 200 * 1024;  // room for about 130 KiB above the reserve
  const std::string big = e.victim("big", randomData(200 * 1024));
  QuarantineRefusal why = QuarantineRefusal::kFailed;
  auto refused = e.q->add(e.request(big), &why);
  REQUIRE_FALSE(refused.isOk());
  CHECK(why == QuarantineRefusal::kNoRoom);
  CHECK(refused.status().message().find("free space reserve") != std::string::npos);
  CHECK(exists(big));
  CHECK(e.q->count() == 0);
  CHECK(e.q->add(e.request(e.victim("small", randomData(16 * 1024)))).isOk());
  // A failure that is not about room says so.
  auto gone = e.q->add(QuarantineRequest{e.dir.sub("nothing-here"), 0, 0, {}, 0}, &why);
  REQUIRE_FALSE(gone.isOk());
  CHECK(why == QuarantineRefusal::kFailed);
}

TEST_CASE("detections past the cap are QUARANTINE_SKIPPED security events and degrade status") {
  Env e;
  e.q->setLimits({uint64_t{1} << 30, 1, 0});
  std::vector<std::pair<v1::Event, v1::Priority>> events;
  std::vector<Status> conditions;
  DetectionHandler h(
      e.q.get(), [&](v1::Event ev, v1::Priority p) { events.emplace_back(std::move(ev), p); },
      [&](const Status& st) { conditions.push_back(st); });
  h.setAction(v1::ENFORCEMENT_ACTION_ENFORCE);
  ScanOrigin origin{"scan1", v1::SCAN_KIND_ON_ACCESS, 3};
  auto first = h.handle(findingFor(e.victim("m1", "miner one")), origin);
  CHECK(first.action() == v1::DETECTION_ACTION_QUARANTINED);
  CHECK(conditions.empty());  // nothing to clear
  const std::string second_path = e.victim("m2", "miner two");
  auto second = h.handle(findingFor(second_path), origin);
  CHECK(second.action() == v1::DETECTION_ACTION_QUARANTINE_SKIPPED);
  CHECK(second.error().code() == "E_QUARANTINE");
  CHECK(second.error().message().find("quarantine full") != std::string::npos);
  CHECK(second.sha256() == std::string(32, '\xab'));
  CHECK(exists(second_path));
  REQUIRE(events.size() == 2);
  CHECK(events[1].second == v1::PRIORITY_SECURITY);
  CHECK(events[1].first.detection().action() == v1::DETECTION_ACTION_QUARANTINE_SKIPPED);
  REQUIRE(conditions.size() == 1);
  CHECK(conditions[0].code() == ErrorCode::kQuarantine);
  CHECK(conditions[0].message().find("detections are not quarantined") != std::string::npos);
  // Deleting an entry makes room: the condition clears.
  REQUIRE(e.q->remove(first.quarantine_id()).isOk());
  h.quarantineShrank();
  REQUIRE(conditions.size() == 2);
  CHECK(conditions[1].isOk());
  CHECK(h.handle(findingFor(second_path), origin).action() == v1::DETECTION_ACTION_QUARANTINED);
}

TEST_CASE("a failed quarantine is QUARANTINE_FAILED and a condition until a later success") {
  Env e;
  std::vector<Status> conditions;
  DetectionHandler h(
      e.q.get(), [](v1::Event, v1::Priority) {},
      [&](const Status& st) { conditions.push_back(st); });
  h.setAction(v1::ENFORCEMENT_ACTION_ENFORCE);
  Finding vanished = findingFor(e.victim("gone", "x"));
  REQUIRE(::unlink(vanished.path.c_str()) == 0);
  CHECK(h.handle(vanished, {}).action() == v1::DETECTION_ACTION_QUARANTINE_FAILED);
  REQUIRE(conditions.size() == 1);
  CHECK(conditions[0].message().find("quarantine failed") != std::string::npos);
  h.quarantineShrank();  // not a matter of room: stays
  CHECK(conditions.size() == 1);
  CHECK(h.handle(findingFor(e.victim("next", "y")), {}).action() ==
        v1::DETECTION_ACTION_QUARANTINED);
  REQUIRE(conditions.size() == 2);
  CHECK(conditions[1].isOk());
}

}  // namespace
}  // namespace xiaoan::agent::scan
