// LoginRecords on Linux: utmp for the sessions open now, wtmp for the history (both arrays of
// glibc's struct utmp), /proc/stat's btime for the boot.

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmp.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>

#include "platform/file_util.h"
#include "platform/linux/posix_error.h"
#include "platform/login_records.h"
#include "platform/unique_fd.h"

namespace xiaoan {
namespace {

constexpr size_t kMaxUtmpBytes = 4u << 20;  // ~11 000 records: far more than any PC has

std::string field(const char* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != '\0') ++len;
  return std::string(p, len);
}

std::chrono::system_clock::time_point timeOf(const struct utmp& u) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(u.ut_tv.tv_sec) +
                                               std::chrono::microseconds(u.ut_tv.tv_usec));
}

std::optional<uint32_t> uidOfName(const std::string& name) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(found->pw_uid);
}

// One record, or nullopt for the kinds that say nothing about sessions (INIT_PROCESS, ...).
std::optional<LoginRecord> convert(const struct utmp& u) {
  LoginRecord r;
  r.line = field(u.ut_line, sizeof u.ut_line);
  r.host = field(u.ut_host, sizeof u.ut_host);
  r.pid = u.ut_pid;
  r.time = timeOf(u);
  switch (u.ut_type) {
    case USER_PROCESS:
      r.kind = LoginRecord::Kind::kLogin;
      r.user = field(u.ut_user, sizeof u.ut_user);
      if (r.user.empty() || r.line.empty()) return std::nullopt;
      return r;
    case DEAD_PROCESS:
      if (r.line.empty()) return std::nullopt;
      r.kind = LoginRecord::Kind::kLogout;
      return r;
    case BOOT_TIME:
      r.kind = LoginRecord::Kind::kBoot;
      return r;
    case RUN_LVL:
      if (field(u.ut_user, sizeof u.ut_user) != "shutdown") return std::nullopt;
      r.kind = LoginRecord::Kind::kShutdown;
      return r;
    default:
      return std::nullopt;
  }
}

bool alive(int32_t pid) {
  if (pid <= 0) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

class LinuxLoginRecords final : public LoginRecords {
 public:
  explicit LinuxLoginRecords(LoginRecordsOptions o) : o_(std::move(o)) {}

  Result<std::vector<LoginRecord>> current() const override {
    auto bytes = readFile(o_.utmp_path, kMaxUtmpBytes);
    if (!bytes.isOk()) {
      if (bytes.status().code() == ErrorCode::kNotFound) return std::vector<LoginRecord>{};
      return bytes.status();
    }
    std::vector<LoginRecord> out;
    const std::string& b = bytes.value();
    for (size_t off = 0; off + sizeof(struct utmp) <= b.size(); off += sizeof(struct utmp)) {
      struct utmp u;
      std::memcpy(&u, b.data() + off, sizeof u);
      if (u.ut_type != USER_PROCESS) continue;
      auto r = convert(u);
      if (!r || !alive(r->pid)) continue;
      r->uid = uidOfName(r->user);
      out.push_back(std::move(*r));
    }
    return out;
  }

  Result<std::vector<LoginRecord>> history(std::chrono::system_clock::time_point since,
                                           size_t max) const override {
    UniqueFd fd(::open(o_.wtmp_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) {
      if (errno == ENOENT) return std::vector<LoginRecord>{};
      return posixStatus("open " + o_.wtmp_path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return posixStatus("stat " + o_.wtmp_path);
    const size_t size = static_cast<size_t>(st.st_size) / sizeof(struct utmp) * sizeof(struct utmp);
    size_t want = std::min(size, o_.max_history_bytes / sizeof(struct utmp) * sizeof(struct utmp));
    std::string buf(want, '\0');
    size_t got = 0;
    while (got < want) {
      ssize_t n =
          ::pread(fd.get(), buf.data() + got, want - got, static_cast<off_t>(size - want + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return posixStatus("read " + o_.wtmp_path);
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    std::vector<LoginRecord> out;
    for (size_t off = 0; off + sizeof(struct utmp) <= got; off += sizeof(struct utmp)) {
      struct utmp u;
      std::memcpy(&u, buf.data() + off, sizeof u);
      auto r = convert(u);
      if (!r || r->time < since) continue;
      if (r->kind == LoginRecord::Kind::kLogin) r->uid = uidOfName(r->user);
      out.push_back(std::move(*r));
    }
    if (out.size() > max) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(max));
    return out;
  }

  Result<std::chrono::system_clock::time_point> bootTime() const override {
    auto text = readFile(o_.proc_stat_path, 1 << 20);
    if (!text.isOk()) return text.status();
    std::string_view s = text.value();
    const auto at = s.find("\nbtime ");
    if (at == std::string_view::npos) return Status(ErrorCode::kIo, "no btime in /proc/stat");
    long long secs = 0;
    size_t i = at + 7;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') {
      return Status(ErrorCode::kIo, "bad btime in /proc/stat");
    }
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && secs < (1LL << 40); ++i) {
      secs = secs * 10 + (s[i] - '0');
    }
    return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
  }

  std::string changeToken() const override {
    struct stat st {};
    if (::stat(o_.utmp_path.c_str(), &st) != 0) return {};
    return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }

 private:
  const LoginRecordsOptions o_;
};

}  // namespace

std::unique_ptr<LoginRecords> makeLoginRecords(LoginRecordsOptions options) {
  return std::make_unique<LinuxLoginRecords>(std::move(options));
}

}  // namespace xiaoan
