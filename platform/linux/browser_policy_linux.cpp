// BrowserPolicyStore on Linux: the fixed managed-policy paths of Chrome, Chromium, Edge and
// Firefox under a root.

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "platform/browser_policy.h"
#include "platform/file_util.h"
#include "platform/linux/posix_error.h"

namespace xiaoan {
namespace {

constexpr size_t kMaxPolicyBytes = 4u << 20;

std::string join(const std::string& root, std::string_view path) {
  std::string out = root;
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += path;
  return out;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class LinuxBrowserPolicyStore final : public BrowserPolicyStore {
 public:
  explicit LinuxBrowserPolicyStore(BrowserPolicyOptions o) : o_(std::move(o)) {}

  bool installed(ManagedBrowser browser) const override {
    for (const char* program : programs(browser)) {
      if (exists(join(o_.root, program))) return true;
    }
    return false;
  }

  std::string location(ManagedBrowser browser) const override {
    switch (browser) {
      case ManagedBrowser::kChrome:
        return join(o_.root, "/etc/opt/chrome/policies/managed/xiaoan-site-block.json");
      case ManagedBrowser::kChromium:
        return join(o_.root, "/etc/chromium/policies/managed/xiaoan-site-block.json");
      case ManagedBrowser::kEdge:
        return join(o_.root, "/etc/opt/edge/policies/managed/xiaoan-site-block.json");
      case ManagedBrowser::kFirefox:
        return join(o_.root, "/etc/firefox/policies/policies.json");
    }
    return {};
  }

  Result<std::optional<std::string>> read(ManagedBrowser browser) const override {
    auto text = readFile(location(browser), kMaxPolicyBytes);
    if (!text.isOk()) {
      if (text.status().code() == ErrorCode::kNotFound) return std::optional<std::string>();
      return text.status();
    }
    return std::optional<std::string>(std::move(text.value()));
  }

  Status write(ManagedBrowser browser, std::string_view json) override {
    const std::string path = location(browser);
    auto made = makeDirs(path.substr(0, path.rfind('/')), 0755);
    if (!made.isOk()) return made;
    return atomicWriteFile(path, json, 0644);
  }

  Status remove(ManagedBrowser browser) override {
    const std::string path = location(browser);
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::ok();
    return posixStatus("remove " + path);
  }

 private:
  static std::vector<const char*> programs(ManagedBrowser browser) {
    switch (browser) {
      case ManagedBrowser::kChrome:
        return {"/opt/google/chrome/chrome", "/usr/bin/google-chrome-stable"};
      case ManagedBrowser::kChromium:
        return {"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"};
      case ManagedBrowser::kEdge:
        return {"/opt/microsoft/msedge/msedge", "/usr/bin/microsoft-edge-stable"};
      case ManagedBrowser::kFirefox:
        return {"/usr/lib/firefox-esr/firefox-esr", "/usr/lib/firefox/firefox", "/usr/bin/firefox"};
    }
    return {};
  }

  const BrowserPolicyOptions o_;
};

}  // namespace

std::unique_ptr<BrowserPolicyStore> makeBrowserPolicyStore(BrowserPolicyOptions options) {
  return std::make_unique<LinuxBrowserPolicyStore>(std::move(options));
}

}  // namespace xiaoan
