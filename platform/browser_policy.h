#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "platform/result.h"

// The browsers' own enterprise-policy locations (OS seam): where an administrator puts a
// managed policy that the browser enforces and the user cannot override. Used to block
// harmful sites. Linux: one JSON file of ours in each Chromium-family managed-policy directory
// (/etc/opt/chrome/policies/managed/, /etc/chromium/policies/managed/,
// /etc/opt/edge/policies/managed/), and Firefox's single /etc/firefox/policies/policies.json.

namespace xiaoan {

enum class ManagedBrowser { kChrome, kChromium, kEdge, kFirefox };
inline constexpr ManagedBrowser kManagedBrowsers[] = {
    ManagedBrowser::kChrome, ManagedBrowser::kChromium, ManagedBrowser::kEdge,
    ManagedBrowser::kFirefox};

// Threading: every method may be called from any thread; writes to one browser's file are the
// caller's to serialise.
class BrowserPolicyStore {
 public:
  virtual ~BrowserPolicyStore() = default;

  // Whether the browser is installed on this machine (Linux: its program is there).
  virtual bool installed(ManagedBrowser browser) const = 0;
  // The file our policy for the browser lives in (display and status).
  virtual std::string location(ManagedBrowser browser) const = 0;
  // The file's contents; nullopt when there is none. At most 4 MiB (E_TOO_LARGE).
  virtual Result<std::optional<std::string>> read(ManagedBrowser browser) const = 0;
  // Replaces the file atomically (readable by everyone, writable by root only), creating its
  // directory. E_PERMISSION_DENIED without the rights, E_IO otherwise.
  virtual Status write(ManagedBrowser browser, std::string_view json) = 0;
  // Removes the file; no error when it is absent.
  virtual Status remove(ManagedBrowser browser) = 0;
};

struct BrowserPolicyOptions {
  // Linux: the file system root the fixed locations are under ("/"; tests use a directory).
  std::string root = "/";
};

// The implementation for the OS this binary was built for.
std::unique_ptr<BrowserPolicyStore> makeBrowserPolicyStore(BrowserPolicyOptions options = {});

}  // namespace xiaoan
