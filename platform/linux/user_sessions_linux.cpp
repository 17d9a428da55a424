// UserSessions on Linux: /etc/passwd for the accounts, terminal devices for the sessions.

#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>
#include <string_view>

#include "platform/file_util.h"
#include "platform/user_sessions.h"

namespace xiaoan {
namespace {

constexpr uint32_t kFirstPersonUid = 1000;  // UID_MIN of login.defs on every common distro
constexpr uint32_t kNobodyUid = 65534;
constexpr size_t kMaxPasswdBytes = 4 << 20;

bool allDigits(std::string_view s) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<std::string_view> splitColons(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ':') {
      f.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return f;
}

// name:password:uid:gid:gecos:home:shell; nullopt for a malformed line.
std::optional<LocalUser> parsePasswdLine(std::string_view line) {
  const auto f = splitColons(line);
  if (f.size() < 7 || f[0].empty() || !allDigits(f[2])) return std::nullopt;
  const unsigned long uid = std::stoul(std::string(f[2]));
  if (uid > UINT32_MAX) return std::nullopt;
  LocalUser u;
  u.uid = static_cast<uint32_t>(uid);
  u.name = std::string(f[0]);
  if (f[5].size() >= 2 && f[5].front() == '/') u.home = std::string(f[5]);
  u.is_person = u.uid == 0 || (u.uid >= kFirstPersonUid && u.uid != kNobodyUid);
  return u;
}

// Entries of `dir` accepted by `keep`, as names.
template <typename Keep>
std::vector<std::string> listNames(const std::string& dir, Keep keep) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    if (keep(std::string_view(e->d_name))) out.emplace_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

class LinuxUserSessions final : public UserSessions {
 public:
  explicit LinuxUserSessions(UserSessionsOptions options) : options_(std::move(options)) {}

  Result<std::vector<LocalUser>> localUsers() const override {
    auto text = readFile(options_.passwd_path, kMaxPasswdBytes);
    if (!text.isOk()) return text.status();
    std::vector<LocalUser> users;
    std::string_view rest = *text;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      if (auto u = parsePasswdLine(rest.substr(0, nl))) users.push_back(std::move(*u));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    return users;
  }

  std::vector<InteractiveSession> sessions() const override {
    std::vector<InteractiveSession> out;
    for (const auto& n : listNames(options_.dev_dir + "/pts", allDigits))
      addTerminal("pts/" + n, &out);
    // tty1..tty63 are the virtual consoles; "tty" alone is the controlling terminal alias.
    auto console = [](std::string_view n) {
      return n.size() > 3 && n.substr(0, 3) == "tty" && allDigits(n.substr(3));
    };
    for (const auto& n : listNames(options_.dev_dir, console)) addTerminal(n, &out);
    return out;
  }

 private:
  void addTerminal(const std::string& name, std::vector<InteractiveSession>* out) const {
    struct stat st {};
    const std::string path = options_.dev_dir + "/" + name;
    if (::stat(path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return;
    InteractiveSession s;
    s.terminal = name;
    s.uid = st.st_uid;
    s.last_input = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_atim.tv_sec) +
            std::chrono::nanoseconds(st.st_atim.tv_nsec)));
    out->push_back(std::move(s));
  }

  const UserSessionsOptions options_;
};

}  // namespace

std::unique_ptr<UserSessions> makeUserSessions(UserSessionsOptions options) {
  return std::make_unique<LinuxUserSessions>(std::move(options));
}

std::optional<std::string> userNameOf(uint32_t uid) {
  std::vector<char> buf(16384);
  for (;;) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    const int err = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
    if (err == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 4);  // a directory account with a very long entry
      continue;
    }
    if (err != 0 || found == nullptr) return std::nullopt;
    return std::string(found->pw_name);
  }
}

}  // namespace xiaoan
