#!/usr/bin/env bash
# The OS seam check: product code (agent/, service/, signatures/, common/) reaches the operating
# system only through platform/. Fails, listing file:line, on an OS header, a direct system
# call or an OS #ifdef outside plat/ (tests/ and packaging/ are not product code).
#   check_os_seam.sh [SOURCE_DIR]
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"
dirs=(agent service signatures common)

headers='sys/[a-z_/]+\.h|unistd\.h|fcntl\.h|poll\.h|pwd\.h|grp\.h|dirent\.h|signal\.h|csignal|malloc\.h'
headers+='|termios\.h|netinet/[a-z_]+\.h|arpa/[a-z_]+\.h|net/[a-z_]+\.h|ifaddrs\.h|netdb\.h|linux/[a-z_/]+\.h'
headers+='|mntent\.h|sched\.h|spawn\.h|dlfcn\.h|fnmatch\.h|glob\.h|syslog\.h|time\.h|utime\.h|pthread\.h'
headers+='|windows\.h|winsock2?\.h|ws2tcpip\.h|iphlpapi\.h|shlobj\.h|aclapi\.h|sddl\.h|io\.h|direct\.h'
calls='open|openat|openat2|close|read|write|pread|pwrite|readv|writev|lseek|fsync|fdatasync|ftruncate'
calls+='|truncate|flock|fcntl|ioctl|stat|lstat|fstat|fstatat|access|faccessat|chmod|fchmod|chown|fchown'
calls+='|unlink|unlinkat|rename|renameat|renameat2|link|linkat|symlink|readlink|mkdir|mkdirat|rmdir'
calls+='|opendir|fdopendir|readdir|closedir|mmap|munmap|madvise|mprotect|malloc_trim|fmemopen|pipe|pipe2'
calls+='|dup|dup2|fork|vfork|exec[lv]p?e?|_exit|kill|signal|sigaction|sigemptyset|sigprocmask|poll|select'
calls+='|epoll_[a-z]+|eventfd|inotify_[a-z0-9_]+|fanotify_[a-z]+|socket|bind|listen|accept|accept4|connect'
calls+='|send|recv|sendmsg|recvmsg|getsockopt|setsockopt|shutdown|getpid|getppid|getuid|geteuid|getgid'
calls+='|getegid|getpwuid|getpwuid_r|getpwnam|getpwnam_r|getgrgid|isatty|setsid|umask|chdir|gethostname'
calls+='|sethostname|uname|sysconf|clock_gettime|localtime_r|gmtime_r|time|sleep|usleep|nanosleep|syscall'
calls+='|getifaddrs|freeifaddrs|if_nametoindex|statfs|fstatfs|statvfs|futimens|utimensat|realpath|getrandom'
ifdefs='^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef|elif)\b.*\b(_WIN32|_WIN64|__linux__|__linux|__APPLE__'
ifdefs+='|__unix__|__unix|__GLIBC__|_POSIX_[A-Z_]+|__MINGW32__|__MINGW64__|_MSC_VER|__FreeBSD__)\b'

files=$(git ls-files -- "${dirs[@]}" 2>/dev/null | grep -E '\.(h|hpp|cc|cpp)$' || true)
[ -n "$files" ] || files=$(find "${dirs[@]}" -name '*.h' -o -name '*.cpp' -o -name '*.cc')
fail=0
report() {  # kind, grep output
  [ -n "$2" ] || return 0
  printf '%s\n' "$2" | sed "s/^/os-seam: $1: /" >&2
  fail=1
}
# shellcheck disable=SC2086
report "OS header" "$(grep -nHE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($headers)>" $files || true)"
# A call through the global namespace (::open(...)), not a member or a qualified name.
# shellcheck disable=SC2086
report "system call" "$(grep -nHE "(^|[^A-Za-z0-9_:>.])::($calls)[[:space:]]*\(" $files || true)"
# Raw descriptors are the platform's business: product code holds File / LocalConnection.
# shellcheck disable=SC2086
report "raw descriptor" "$(grep -nHE '#[[:space:]]*include[[:space:]]*"platform/(unique_fd|linux/[a-z_]+)\.h"' $files || true)"
# shellcheck disable=SC2086
report "OS #ifdef" "$(grep -nHE "$ifdefs" $files || true)"
if [ "$fail" != 0 ]; then
  echo "os-seam: put OS access behind a platform/ interface (see platform/README.md)" >&2
  exit 1
fi
echo "os-seam: $(printf '%s\n' $files | wc -l) product files, no OS access outside platform/"
