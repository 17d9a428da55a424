#include "agent/browsing/profile_discovery.h"

#include <algorithm>

#include "platform/file.h"
#include "platform/file_util.h"

namespace xiaoan::agent::browsing {
namespace {

constexpr ChromiumRoot kLinuxChromium[] = {
    {v1::BROWSER_KIND_CHROME, ".config/google-chrome"},
    {v1::BROWSER_KIND_CHROME, ".var/app/com.google.Chrome/config/google-chrome"},
    {v1::BROWSER_KIND_CHROMIUM, ".config/chromium"},
    {v1::BROWSER_KIND_CHROMIUM, "snap/chromium/common/chromium"},
    {v1::BROWSER_KIND_CHROMIUM, ".var/app/org.chromium.Chromium/config/chromium"},
    {v1::BROWSER_KIND_EDGE, ".config/microsoft-edge"},
    {v1::BROWSER_KIND_EDGE, ".var/app/com.microsoft.Edge/config/microsoft-edge"},
};

constexpr const char* kLinuxFirefox[] = {
    ".mozilla/firefox",
    "snap/firefox/common/.mozilla/firefox",
    ".var/app/org.mozilla.firefox/.mozilla/firefox",
};

// NOTES.md §1.2; Roaming (%APPDATA%) where the browser keeps its data there.
constexpr ChromiumRoot kWindowsChromium[] = {
    {v1::BROWSER_KIND_CHROME, "%LOCALAPPDATA%\\Google\\Chrome\\User Data"},
    {v1::BROWSER_KIND_CHROMIUM, "%LOCALAPPDATA%\\Chromium\\User Data"},
    {v1::BROWSER_KIND_EDGE, "%LOCALAPPDATA%\\Microsoft\\Edge\\User Data"},
    {v1::BROWSER_KIND_360SE, "%APPDATA%\\360se6\\User Data"},
    {v1::BROWSER_KIND_360CHROME, "%LOCALAPPDATA%\\360Chrome\\Chrome\\User Data"},
    {v1::BROWSER_KIND_360CHROMEX, "%LOCALAPPDATA%\\360ChromeX\\Chrome\\User Data"},
    {v1::BROWSER_KIND_QQ, "%LOCALAPPDATA%\\Tencent\\QQBrowser\\User Data"},
    {v1::BROWSER_KIND_QQ, "%APPDATA%\\Tencent\\QQBrowser\\User Data"},
    {v1::BROWSER_KIND_SOGOU, "%APPDATA%\\SogouExplorer\\Webkit"},
    {v1::BROWSER_KIND_SOGOU, "%LOCALAPPDATA%\\Sogou\\SogouExplorer\\User Data"},
    {v1::BROWSER_KIND_2345, "%LOCALAPPDATA%\\2345Explorer\\User Data"},
    {v1::BROWSER_KIND_LIEBAO, "%LOCALAPPDATA%\\liebao\\User Data"},
};

// The history file names of the Chromium family (360极速浏览器X: 360History).
constexpr const char* kChromiumHistoryNames[] = {"History", "360History"};

bool isRegularFile(const std::string& path) {
  auto st = statPath(path, false);
  return st.isOk() && st->isRegular();
}

bool isProfileDirName(const std::string& name) {
  return name != "System Profile" && name != "Guest Profile" && !name.empty() &&
         name.front() != '.';
}

void addChromiumProfile(const LocalUser& user, v1::BrowserKind browser, const std::string& dir,
                        const std::string& profile, std::vector<BrowserProfile>& out) {
  for (const char* file : kChromiumHistoryNames) {
    const std::string path = dir + "/" + file;
    if (isRegularFile(path)) {
      out.push_back({user.uid, user.name, browser, profile, path, false});
      return;
    }
  }
}

void discoverChromium(const LocalUser& user, const ChromiumRoot& root,
                      std::vector<BrowserProfile>& out) {
  const std::string base = user.home + "/" + root.dir;
  auto entries = listDir(base);
  if (!entries.isOk()) return;
  std::sort(entries->begin(), entries->end());
  size_t seen = 0, found = 0;
  for (const std::string& name : *entries) {
    if (++seen > kMaxProfileDirEntries || found >= kMaxProfilesPerRoot) break;
    if (!isProfileDirName(name)) continue;
    const size_t before = out.size();
    addChromiumProfile(user, root.browser, base + "/" + name, name, out);
    found += out.size() - before;
  }
}

void discoverFirefox(const LocalUser& user, const char* root, std::vector<BrowserProfile>& out) {
  const std::string dir = user.home + "/" + root;
  auto ini = readFile(dir + "/profiles.ini", kMaxProfilesIniBytes);
  if (!ini.isOk()) return;
  for (const std::string& profile_dir : parseProfilesIni(*ini, dir)) {
    const std::string path = profile_dir + "/places.sqlite";
    if (!isRegularFile(path)) continue;
    const std::string name = profile_dir.substr(profile_dir.rfind('/') + 1);
    out.push_back({user.uid, user.name, v1::BROWSER_KIND_FIREFOX, name, path, true});
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

// A profile path must name a directory plainly: no "..", no control characters.
bool plainPath(std::string_view p) {
  if (p.empty() || p.find("..") != std::string_view::npos) return false;
  return std::none_of(p.begin(), p.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

}  // namespace

std::span<const ChromiumRoot> linuxChromiumRoots() { return kLinuxChromium; }
std::span<const char* const> linuxFirefoxRoots() { return kLinuxFirefox; }
std::span<const ChromiumRoot> windowsChromiumRoots() { return kWindowsChromium; }

std::vector<std::string> parseProfilesIni(std::string_view ini, const std::string& ini_dir) {
  std::vector<std::string> out;
  std::string path;
  bool relative = true, in_profile = false;
  auto flush = [&] {
    if (in_profile && plainPath(path) && out.size() < kMaxProfilesPerRoot) {
      std::string full = relative ? ini_dir + "/" + path : path;
      if (!full.empty() && full.front() == '/' &&
          std::find(out.begin(), out.end(), full) == out.end()) {
        out.push_back(std::move(full));
      }
    }
    path.clear();
    relative = true;
  };
  while (!ini.empty()) {
    const size_t nl = ini.find('\n');
    std::string_view line = trim(ini.substr(0, nl));
    ini.remove_prefix(nl == std::string_view::npos ? ini.size() : nl + 1);
    if (!line.empty() && line.front() == '[') {
      flush();
      in_profile = line.rfind("[Profile", 0) == 0;
    } else if (line.rfind("Path=", 0) == 0) {
      path = std::string(line.substr(5));
    } else if (line.rfind("IsRelative=", 0) == 0) {
      relative = line.substr(11) != "0";
    }
  }
  flush();
  return out;
}

std::vector<BrowserProfile> discoverProfiles(const std::vector<LocalUser>& users) {
  std::vector<BrowserProfile> out;
  for (const LocalUser& user : users) {
    if (!user.is_person || user.home.empty()) continue;
    for (const ChromiumRoot& root : kLinuxChromium) discoverChromium(user, root, out);
    for (const char* root : kLinuxFirefox) discoverFirefox(user, root, out);
  }
  return out;
}

}  // namespace xiaoan::agent::browsing
