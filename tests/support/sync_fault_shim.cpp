// LD_PRELOAD fault injection for durability tests: fsync/fdatasync of a file whose path
// contains $XIAOAN_TEST_FAIL_SYNC fail with EIO, as a dying disk or a full thin pool makes
// them fail; every other call goes to the C library. The variable is read on each call, so a
// test switches failures on and off with setenv/unsetenv. The real Linux File implementation
// runs unchanged underneath: this proves that its callers check the result.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using SyncFn = int (*)(int);

bool shouldFail(int fd) {
  const char* needle = std::getenv("XIAOAN_TEST_FAIL_SYNC");
  if (needle == nullptr || *needle == '\0') return false;
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char path[4096];
  const ssize_t n = ::readlink(link, path, sizeof path - 1);
  if (n <= 0) return false;
  path[n] = '\0';
  return std::strstr(path, needle) != nullptr;
}

int callNext(const char* name, int fd) {
  auto next = reinterpret_cast<SyncFn>(::dlsym(RTLD_NEXT, name));
  if (next == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return next(fd);
}

}  // namespace

extern "C" {

// Lets a test prove the shim is loaded before it trusts a pass.
int xiaoan_sync_fault_shim_loaded() { return 1; }

int fsync(int fd) {
  if (shouldFail(fd)) {
    errno = EIO;
    return -1;
  }
  return callNext("fsync", fd);
}

int fdatasync(int fd) {
  if (shouldFail(fd)) {
    errno = EIO;
    return -1;
  }
  return callNext("fdatasync", fd);
}

}  // extern "C"
