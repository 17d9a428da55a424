#include "tests/service/admin_cli/admin_harness.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <time.h>

#include <fstream>
#include <sstream>

#include "service/admin_cli/admin_app.h"

namespace xiaoan::admin::testing {
namespace {

namespace fs = std::filesystem;

class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
  }
  uint64_t monotonicNs() const override { return 0; }
};

// Forwards to the harness's transport so that it outlives one run.
class Forwarding final : public AdminTransport {
 public:
  explicit Forwarding(AdminTransport& target) : target_(target) {}
  Result<HttpResponse> send(const AdminHttpRequest& r) override { return target_.send(r); }

 private:
  AdminTransport& target_;
};

}  // namespace

HttpResponse jsonResponse(long status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "application/json";
  return r;
}

AdminHarness::AdminHarness(FakeTransport::Handler handler)
    : transport_(std::make_unique<FakeTransport>(std::move(handler))) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  std::string tmpl = (fs::temp_directory_path() / "xiaoan-admin-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  std::ofstream(caPath()) << "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  std::ofstream(passwordPath()) << "s3cret-from-file\n";
}

AdminHarness::~AdminHarness() { fs::remove_all(dir_); }

AdminRun AdminHarness::run(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::vector<std::string> full = {"--server", "https://127.0.0.1:8444/", "--ca",
                                   caPath(),   "--password-file",         passwordPath()};
  full.insert(full.end(), args.begin(), args.end());
  return runRaw(std::move(full), std::move(env));
}

AdminRun AdminHarness::runRaw(std::vector<std::string> args,
                              std::map<std::string, std::string> env) {
  FixedClock clock;
  std::ostringstream out;
  std::ostringstream err;
  AdminIo io;
  io.args = std::move(args);
  io.env = std::move(env);
  io.clock = &clock;
  io.out = &out;
  io.err = &err;
  io.make_transport = [this](const std::string& ca) -> std::unique_ptr<AdminTransport> {
    last_ca_file_ = ca;
    return std::make_unique<Forwarding>(*transport_);
  };
  AdminRun r;
  r.code = runXiaoanAdmin(io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace xiaoan::admin::testing
