#include "signatures/yara/yara_library.h"

#include <yara.h>

#include <mutex>
#include <string>

namespace xiaoan::sig {
namespace {

std::mutex& libraryMutex() {
  static std::mutex m;
  return m;
}
int g_refs = 0;  // guarded by libraryMutex()

}  // namespace

Result<YaraLibraryRef> YaraLibraryRef::acquire() {
  std::lock_guard lock(libraryMutex());
  if (g_refs == 0) {
    int rc = yr_initialize();
    if (rc != ERROR_SUCCESS) {
      return Status(ErrorCode::kInternal,
                    "yr_initialize failed: libyara error " + std::to_string(rc));
    }
  }
  ++g_refs;
  YaraLibraryRef ref;
  ref.held_ = true;
  return ref;
}

YaraLibraryRef& YaraLibraryRef::operator=(YaraLibraryRef&& other) noexcept {
  if (this != &other) {
    release();
    held_ = other.held_;
    other.held_ = false;
  }
  return *this;
}

void YaraLibraryRef::release() {
  if (!held_) return;
  held_ = false;
  std::lock_guard lock(libraryMutex());
  if (--g_refs == 0) yr_finalize();
}

}  // namespace xiaoan::sig
