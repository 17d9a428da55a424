#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "service/admin_cli/admin_transport.h"

namespace xiaoan::admin::testing {

// 2026-11-21 14:03:05 UTC.
inline constexpr int64_t kNow = 1795269785;

// Answers requests with a handler and records them.
class FakeTransport final : public AdminTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const AdminHttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}
  Result<HttpResponse> send(const AdminHttpRequest& request) override {
    requests.push_back(request);
    return handler_(request);
  }
  std::vector<AdminHttpRequest> requests;

 private:
  Handler handler_;
};

HttpResponse jsonResponse(long status, std::string body);

struct AdminRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs xiaoan-admin in-process with a fixed clock and a FakeTransport; a temp dir holds the
// CA file and a password file. Default arguments give the server, CA and password file.
class AdminHarness {
 public:
  explicit AdminHarness(FakeTransport::Handler handler);
  ~AdminHarness();

  // Runs with --server/--ca/--password-file prepended.
  AdminRun run(std::vector<std::string> args, std::map<std::string, std::string> env = {});
  // Runs exactly `args`.
  AdminRun runRaw(std::vector<std::string> args, std::map<std::string, std::string> env = {});

  const std::vector<AdminHttpRequest>& requests() const { return transport_->requests; }
  std::string caPath() const { return (dir_ / "ca.pem").string(); }
  std::string passwordPath() const { return (dir_ / "pw").string(); }
  std::string lastCaFile() const { return last_ca_file_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<FakeTransport> transport_;
  std::string last_ca_file_;
};

}  // namespace xiaoan::admin::testing
