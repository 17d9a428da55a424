#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "platform/user_sessions.h"
#include "xiaoan/v1/browsing.pb.h"

// Where browsers keep their history, per local person account. The Chromium family keeps one
// `History` SQLite file per profile directory ("Default", "Profile 1", ...; 360极速浏览器X calls
// it `360History`) under a user-data directory; Firefox lists its profiles in profiles.ini
// (paths relative to it or absolute), each with a `places.sqlite`.
namespace xiaoan::agent::browsing {

// One history database to read.
struct BrowserProfile {
  uint32_t uid = 0;
  std::string user;
  v1::BrowserKind browser = v1::BROWSER_KIND_UNSPECIFIED;
  std::string profile;  // profile directory name
  std::string db_path;  // absolute path of the database
  bool firefox = false;

  bool operator==(const BrowserProfile&) const = default;
};

// A Chromium-family user-data directory: relative to the home on Linux; on Windows relative to
// %LOCALAPPDATA% or %APPDATA% as written (data for the Windows port).
struct ChromiumRoot {
  v1::BrowserKind browser;
  const char* dir;
};

// The Linux locations (native packages, snap, flatpak).
std::span<const ChromiumRoot> linuxChromiumRoots();
// Firefox data directories holding profiles.ini, relative to the home (Linux).
std::span<const char* const> linuxFirefoxRoots();
// The Windows locations of the Chromium family, including the Chinese browsers (not wired yet).
std::span<const ChromiumRoot> windowsChromiumRoots();

// Bounds: a user-data directory is searched through at most this many entries, profiles.ini is
// read up to this size, and at most this many profiles are taken per browser directory.
inline constexpr size_t kMaxProfileDirEntries = 256;
inline constexpr size_t kMaxProfilesIniBytes = 64 * 1024;
inline constexpr size_t kMaxProfilesPerRoot = 64;

// Every history database of every person account (root included) with a home, in a stable
// order. Missing directories are normal and skipped.
std::vector<BrowserProfile> discoverProfiles(const std::vector<LocalUser>& users);

// The profile directories of a Firefox profiles.ini held in `ini_dir` (absolute paths).
std::vector<std::string> parseProfilesIni(std::string_view ini, const std::string& ini_dir);

}  // namespace xiaoan::agent::browsing
