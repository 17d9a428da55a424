// xiaoan-trust-forge: a TEST-ONLY tool that rewrites the signed metadata of a check-in response
// (or an offline bundle) the way an attacker on the path could: re-sign with the wrong key,
// reissue with chosen versions and policy, drop roots, splice in another update's targets.
// The integration scenarios (tests/integration/u_*.sh) feed its output to a real agent through
// evil_mirror.py and check that the agent rejects it with the right code.
//
//   xiaoan-trust-forge MODE [--in FILE] [--out FILE] [--bundle] [mode options]
// Input and output default to stdin and stdout. See kUsage.
#include <unistd.h>

#include <functional>
#include <iostream>
#include <iterator>

#include "common/cli/cli_args.h"
#include "platform/file_util.h"
#include "tests/integration/tools/forge_ops.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::forge {
namespace {

constexpr const char* kUsage = R"(usage: xiaoan-trust-forge MODE [--in F] [--out F] [--bundle] ...
  genkey --out K                     new Ed25519 key (PKCS#8 PEM)
  info                               one JSON line per update: versions, agent ids, artifacts
  resign --part content|timestamp|root --key K [--sign-role R]
  reissue --content-key K --timestamp-key K [--targets-version N] [--timestamp-version N]
          [--expires-in S] [--policy-json F | --policy-raw F] [--policy-version N]
          [--terminal-id T] [--artifact-dir D]
  drop-root --version V | strip-roots | keep-root --version V
  splice --targets-from CHECKIN_RESPONSE_FILE
  tamper-artifacts                   (bundle) flip the first byte of every artifact
)";

constexpr size_t kMaxInput = 256u << 20;

std::vector<OptionSpec> specs() {
  std::vector<OptionSpec> s;
  for (const char* v :
       {"in", "out", "part", "key", "sign-role", "content-key", "timestamp-key", "targets-version",
        "timestamp-version", "expires-in", "policy-json", "policy-raw", "policy-version",
        "terminal-id", "artifact-dir", "version", "targets-from", "agent"}) {
    s.push_back({v, true, "X", "", ""});
  }
  s.push_back({"bundle", false, "", "", ""});
  return s;
}

Result<std::string> readInput(const ParsedArgs& a) {
  if (const auto* in = a.value("in")) return readFile(*in, kMaxInput);
  std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return data;
}

Status writeOutput(const ParsedArgs& a, const std::string& data) {
  if (const auto* out = a.value("out")) return atomicWriteFile(*out, data, 0644);
  std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
  std::cout.flush();
  return std::cout ? Status::ok() : Status(ErrorCode::kIo, "write to stdout failed");
}

std::optional<uint64_t> number(const ParsedArgs& a, const std::string& name) {
  const auto* v = a.value(name);
  if (v == nullptr) return std::nullopt;
  return parseUint(*v, 0, UINT64_MAX);
}

std::string text(const ParsedArgs& a, const std::string& name) {
  const auto* v = a.value(name);
  return v ? *v : std::string();
}

ReissueOptions reissueOptions(const ParsedArgs& a, const std::string& terminal_id) {
  ReissueOptions o;
  o.content_key = text(a, "content-key");
  o.timestamp_key = text(a, "timestamp-key");
  o.targets_version = number(a, "targets-version");
  o.timestamp_version = number(a, "timestamp-version");
  if (auto s = number(a, "expires-in")) o.expires_in_seconds = static_cast<int64_t>(*s);
  o.policy_json_file = text(a, "policy-json");
  o.policy_raw_file = text(a, "policy-raw");
  o.policy_version = number(a, "policy-version").value_or(0);
  o.terminal_id = a.value("terminal-id") ? text(a, "terminal-id") : terminal_id;
  o.sink.dir = text(a, "artifact-dir");
  return o;
}

// One mode applied to one update. `bundle` is set when the input is an offline bundle.
using Op = std::function<Status(v1::TrustUpdate&, const std::string& terminal_id,
                                v1::OfflineBundle* bundle)>;

Result<Op> makeOp(const std::string& mode, const ParsedArgs& a) {
  if (mode == "info") {
    return Op([](v1::TrustUpdate& u, const std::string&, v1::OfflineBundle*) {
      std::cout << describe(u) << "\n";
      return Status::ok();
    });
  }
  if (mode == "resign") {
    return Op([&a](v1::TrustUpdate& u, const std::string&, v1::OfflineBundle*) {
      return resign(u, text(a, "part"), text(a, "key"), text(a, "sign-role"));
    });
  }
  if (mode == "reissue") {
    return Op([&a](v1::TrustUpdate& u, const std::string& terminal, v1::OfflineBundle* b) {
      ReissueOptions o = reissueOptions(a, terminal);
      if (b != nullptr) o.sink.bundle = b->mutable_artifacts();
      return reissue(u, o);
    });
  }
  if (mode == "drop-root" || mode == "strip-roots" || mode == "keep-root") {
    const auto v = number(a, "version");
    if (mode != "strip-roots" && !v) return Status(ErrorCode::kInvalidArgument, "--version");
    return Op([mode, v](v1::TrustUpdate& u, const std::string&, v1::OfflineBundle*) {
      if (mode == "keep-root") {
        keepRoot(u, *v);
      } else {
        dropRoots(u, mode == "strip-roots" ? std::vector<uint64_t>{} : std::vector{*v});
      }
      return Status::ok();
    });
  }
  if (mode == "splice") {
    XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(text(a, "targets-from"), kMaxInput));
    v1::CheckinResponse other;
    if (!other.ParseFromString(bytes)) return Status(ErrorCode::kProtocol, "--targets-from");
    return Op([other](v1::TrustUpdate& u, const std::string&, v1::OfflineBundle*) {
      splice(u, other.trust());
      return Status::ok();
    });
  }
  return Status(ErrorCode::kInvalidArgument, "unknown mode " + mode);
}

void tamperArtifacts(v1::OfflineBundle& bundle) {
  for (auto& a : *bundle.mutable_artifacts()) {
    if (!a.data().empty()) (*a.mutable_data())[0] ^= 0x01;
  }
}

Result<std::string> applyToBundle(const std::string& mode, const ParsedArgs& a, std::string input) {
  v1::OfflineBundle bundle;
  if (!bundle.ParseFromString(input)) return Status(ErrorCode::kProtocol, "not a bundle");
  if (mode == "tamper-artifacts") {
    tamperArtifacts(bundle);
    return bundle.SerializeAsString();
  }
  XIAOAN_ASSIGN_OR_RETURN(Op op, makeOp(mode, a));
  for (auto& entry : *bundle.mutable_entries()) {
    if (a.value("agent") && entry.agent_id() != text(a, "agent")) continue;
    XIAOAN_RETURN_IF_ERROR(op(*entry.mutable_update(), "", &bundle));
  }
  return bundle.SerializeAsString();
}

Result<std::string> applyToCheckin(const std::string& mode, const ParsedArgs& a,
                                   std::string input) {
  v1::CheckinResponse response;
  XIAOAN_ASSIGN_OR_RETURN(Op op, makeOp(mode, a));
  if (!response.ParseFromString(input)) return Status(ErrorCode::kProtocol, "not a response");
  if (!response.has_trust()) return Status(ErrorCode::kNotFound, "response has no trust update");
  XIAOAN_RETURN_IF_ERROR(op(*response.mutable_trust(), response.terminal_id(), nullptr));
  return response.SerializeAsString();
}

Status run(const std::vector<std::string>& args) {
  XIAOAN_ASSIGN_OR_RETURN(ParsedArgs a, parseArgs(args, specs(), Lang::kEn));
  if (a.positionals.size() != 1) return Status(ErrorCode::kInvalidArgument, kUsage);
  const std::string mode = a.positionals[0];
  if (mode == "genkey") {
    if (!a.value("out")) return Status(ErrorCode::kInvalidArgument, "genkey needs --out");
    return generateKey(text(a, "out"));
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string input, readInput(a));
  Result<std::string> out = a.flag("bundle") ? applyToBundle(mode, a, std::move(input))
                                             : applyToCheckin(mode, a, std::move(input));
  if (!out.isOk()) return out.status();
  if (mode == "info") return Status::ok();
  return writeOutput(a, *out);
}

}  // namespace
}  // namespace xiaoan::forge

int main(int argc, char** argv) {
  const xiaoan::Status st = xiaoan::forge::run({argv + 1, argv + argc});
  if (st.isOk()) return 0;
  std::cerr << "xiaoan-trust-forge: " << st.toString() << "\n";
  return 2;
}
