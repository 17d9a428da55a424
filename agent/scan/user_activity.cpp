#include "agent/scan/user_activity.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <cctype>

namespace xiaoan::agent::scan {
namespace {

// Entries of `dir` accepted by `keep`, as full paths.
template <typename Keep>
void listInto(const std::string& dir, Keep keep, std::vector<std::string>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (keep(name)) out->push_back(dir + "/" + name);
  }
  ::closedir(d);
}

bool allDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

TtyUserActivity::TtyUserActivity(std::string dev_dir) : dev_dir_(std::move(dev_dir)) {}

std::vector<std::string> TtyUserActivity::candidates() const {
  std::vector<std::string> out;
  listInto(dev_dir_ + "/pts", allDigits, &out);
  // tty1..tty63 are the virtual consoles; "tty" alone is the controlling terminal alias.
  listInto(
      dev_dir_,
      [](const std::string& n) {
        return n.size() > 3 && n.rfind("tty", 0) == 0 && allDigits(n.substr(3));
      },
      &out);
  return out;
}

std::optional<std::chrono::seconds> TtyUserActivity::idleFor() const {
  std::optional<time_t> newest;
  for (const auto& path : candidates()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) continue;
    if (!newest || st.st_atim.tv_sec > *newest) newest = st.st_atim.tv_sec;
  }
  if (!newest) return std::nullopt;
  const time_t now = ::time(nullptr);
  return std::chrono::seconds(now > *newest ? now - *newest : 0);
}

}  // namespace xiaoan::agent::scan
