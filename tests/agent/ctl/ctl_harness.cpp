#include "tests/agent/ctl/ctl_harness.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <time.h>

#include <fstream>
#include <sstream>

#include "agent/ctl/ctl_app.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {

namespace fs = std::filesystem;

std::chrono::system_clock::time_point FixedClock::now() const {
  return std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
}

CtlHarness::CtlHarness() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  std::string tmpl = (fs::temp_directory_path() / "xiaoanctl-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  fs::create_directory(stateDir());
  writeConfig("{\"status_socket\": \"" + socketPath() + "\", \"state_dir\": \"" + stateDir() +
              "\", \"collector_url\": \"https://127.0.0.1:8443\"}");
}

CtlHarness::~CtlHarness() { fs::remove_all(dir_); }

RunResult CtlHarness::run(std::vector<std::string> args, uid_t euid,
                          std::map<std::string, std::string> env) const {
  std::ostringstream out;
  std::ostringstream err;
  CtlIo io;
  io.args = std::move(args);
  io.env = std::move(env);
  io.euid = euid;
  io.clock = &clock_;
  io.out = &out;
  io.err = &err;
  io.default_config_path = configPath();
  io.daemon_timeout = std::chrono::milliseconds(500);
  io.out_is_tty = tty_;
  io.poll_interval = std::chrono::milliseconds(1);
  RunResult r;
  r.code = runXiaoanctl(io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

void CtlHarness::persist(const v1::AgentStatus& status) const {
  std::ofstream f(stateDir() + "/status.pb", std::ios::binary | std::ios::trunc);
  REQUIRE(status.SerializeToOstream(&f));
}

void CtlHarness::writeConfig(const std::string& json) const {
  std::ofstream f(configPath(), std::ios::trunc);
  f << json;
  REQUIRE(f.good());
}

void checkGolden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(XIAOAN_SOURCE_DIR) / "tests/agent/ctl/golden" / name;
  if (const char* update = std::getenv("XIAOAN_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
  }
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "missing golden file " << path.string());
  std::stringstream want;
  want << f.rdbuf();
  CHECK_MESSAGE(actual == want.str(), "golden " << name << " differs; got:\n" << actual);
}

}  // namespace xiaoan::ctl::testing
