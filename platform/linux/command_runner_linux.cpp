// runCommand on Linux: posix_spawnp (safe in a threaded daemon) with pipes for the three
// standard streams, poll() until both outputs close or the deadline, then waitpid.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "platform/command_runner.h"
#include "platform/linux/posix_error.h"
#include "platform/unique_fd.h"

namespace xiaoan {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipes {
  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
};

Status makePipe(UniqueFd& r, UniqueFd& w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return posixStatus("pipe");
  r.reset(fds[0]);
  w.reset(fds[1]);
  return Status::ok();
}

Result<pid_t> spawn(const std::vector<std::string>& argv, Pipes& p) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p.in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, p.out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, p.err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);  // the daemon holds signals back; the child must not
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* path = std::getenv("PATH");
  std::string env_path = std::string("PATH=") + (path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  char lc[] = "LC_ALL=C";
  char* envp[] = {env_path.data(), lc, nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0].c_str(), &fa, &attr, args.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return posixStatus("run " + argv[0], rc);
  return pid;
}

// Feeds stdin and collects stdout/stderr until both close or the deadline passes.
bool pump(Pipes& p, const CommandOptions& o, CommandResult& r) {
  const auto deadline = Clock::now() + o.timeout;
  size_t written = 0;
  if (o.stdin_data.empty()) p.in_w.reset();
  while (p.out_r.valid() || p.err_r.valid()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[3] = {
        {p.out_r.get(), POLLIN, 0}, {p.err_r.get(), POLLIN, 0}, {p.in_w.get(), POLLOUT, 0}};
    if (::poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      UniqueFd& fd = i == 0 ? p.out_r : p.err_r;
      std::string& dst = i == 0 ? r.out : r.err;
      const ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n <= 0) {
        if (n == 0 || errno != EINTR) fd.reset();
        continue;
      }
      dst.append(buf, std::min<size_t>(n, o.max_output - std::min(o.max_output, dst.size())));
    }
    if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
      const ssize_t n =
          ::write(p.in_w.get(), o.stdin_data.data() + written, o.stdin_data.size() - written);
      if (n > 0) written += n;
      if (n < 0 || written == o.stdin_data.size()) p.in_w.reset();
    }
  }
  return true;
}

}  // namespace

Result<CommandResult> runCommand(const std::vector<std::string>& argv,
                                 const CommandOptions& options) {
  if (argv.empty() || argv[0].empty())
    return Status(ErrorCode::kInvalidArgument, "no program to run");
  if (!commandExists(argv[0])) return Status(ErrorCode::kNotFound, argv[0] + ": not found");
  Pipes p;
  XIAOAN_RETURN_IF_ERROR(makePipe(p.in_r, p.in_w));
  XIAOAN_RETURN_IF_ERROR(makePipe(p.out_r, p.out_w));
  XIAOAN_RETURN_IF_ERROR(makePipe(p.err_r, p.err_w));
  ::fcntl(p.in_w.get(), F_SETFL, O_NONBLOCK);
  XIAOAN_ASSIGN_OR_RETURN(pid_t pid, spawn(argv, p));
  p.in_r.reset();
  p.out_w.reset();
  p.err_w.reset();
  CommandResult r;
  const bool finished = pump(p, options, r);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) return Status(ErrorCode::kTimeout, argv[0] + " did not finish in time");
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

bool commandExists(const std::string& name) {
  struct stat st;
  if (name.find('/') != std::string::npos)
    return ::stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string full = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(full.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace xiaoan
