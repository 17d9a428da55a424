#include <sstream>

#include "common/cli/cli_args.h"
#include "common/text/tr.h"
#include "common/trust/metadata.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/key_ceremony.h"

namespace xiaoan::admin {
namespace {

// Reads an optional number option within [min, max]; false after printing a usage error.
bool numberOption(AdminContext& ctx, const ParsedArgs& args, const std::string& name, uint64_t min,
                  uint64_t max, uint32_t& out, int& exit_code) {
  const std::string* v = args.value(name);
  if (v == nullptr) return true;
  auto n = parseUint(*v, min, max);
  if (!n) {
    exit_code =
        reportUsage(ctx, "--" + name + ": " + std::to_string(min) + ".." + std::to_string(max));
    return false;
  }
  out = static_cast<uint32_t>(*n);
  return true;
}

void printKeys(AdminContext& ctx, const std::vector<KeyInfo>& keys) {
  for (const auto& k : keys) {
    ctx.out() << "  " << trust::roleName(k.role) << "  " << k.key_id.substr(0, 16) << "  " << k.file
              << "\n";
  }
}

// `keys init --out DIR [--root-keys N] [--threshold K] [--deployment TEXT] [--expires-days D]`.
class KeysInitCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"keys", "init"},
        "--out DIR [--root-keys N] [--threshold K] [--deployment TEXT]",
        "生成离线根密钥组与角色密钥（签名更新用）",
        "create the offline root key set and role keys (signed updates)",
        {{"out", true, "DIR", "新密钥目录（不存在或为空）", "new key directory (missing or empty)"},
         {"root-keys", true, "N", "根密钥个数（默认 1，最多 9）", "number of root keys (1..9)"},
         {"threshold", true, "K", "根签名门限（默认 1，例如 3 取 2）",
          "root signatures required (default 1; e.g. 2 of 3)"},
         {"deployment", true, "TEXT", "部署名称，例如 某某县教育局",
          "deployment name, e.g. the county bureau"},
         {"expires-days", true, "D", "根元数据有效天数（默认 365）",
          "days until the root metadata expires (default 365)"}},
        0,
        0,
        /*needs_server=*/false};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    KeyInitOptions o;
    int code = kExitOk;
    if (const std::string* out = args.value("out")) o.out_dir = *out;
    if (const std::string* d = args.value("deployment")) o.deployment = *d;
    if (!numberOption(ctx, args, "root-keys", 1, 9, o.root_keys, code) ||
        !numberOption(ctx, args, "threshold", 1, 9, o.threshold, code) ||
        !numberOption(ctx, args, "expires-days", 1, 3650, o.expires_days, code)) {
      return code;
    }
    o.now = ctx.io.clock->now();
    auto made = initKeySet(o);
    if (!made.isOk()) {
      if (made.status().code() == ErrorCode::kInvalidArgument) {
        return reportUsage(ctx, made.status().message());
      }
      printError(ctx, made.status());
      return kExitFailure;
    }
    ctx.out() << tr(ctx.lang, "已生成密钥组（根元数据 v1）于 ", "created the key set (root v1) in ")
              << o.out_dir << "\n";
    printKeys(ctx, made->keys);
    ctx.out() << tr(
        ctx.lang,
        "下一步：把 root.pb 与 CA 证书一起安装到每台终端；用 xiaoan-collector keys import "
        "导入 content/timestamp 密钥；把 keys/root-*.key 与 keys/release.key 移到离线介质保存。\n",
        "next: install root.pb next to the CA bundle on every terminal; import the content and "
        "timestamp keys with `xiaoan-collector keys import`; move keys/root-*.key and "
        "keys/release.key to offline media.\n");
    return kExitOk;
  }
};

// Parses "content,timestamp" into roles.
bool parseRoles(const std::string& text, std::vector<v1::Role>& roles) {
  std::stringstream in(text);
  std::string word;
  while (std::getline(in, word, ',')) {
    if (word == "content") {
      roles.push_back(v1::ROLE_CONTENT);
    } else if (word == "timestamp") {
      roles.push_back(v1::ROLE_TIMESTAMP);
    } else if (word == "release") {
      roles.push_back(v1::ROLE_RELEASE);
    } else {
      return false;
    }
  }
  return true;
}

// `keys rotate-root --keys DIR [--new-root-keys N] [--threshold K] [--rotate ROLES]`.
class KeysRotateRootCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"keys", "rotate-root"},
        "--keys DIR [--new-root-keys N] [--threshold K] [--rotate content,timestamp,release]",
        "签发下一版根元数据（轮换根密钥或角色密钥，或续期）",
        "sign the next root version (rotate root or role keys, or renew)",
        {{"keys", true, "DIR", "keys init 生成的密钥目录", "key directory made by keys init"},
         {"new-root-keys", true, "N", "生成 N 个新根密钥（默认沿用现有）",
          "generate N new root keys (default: keep the current ones)"},
         {"threshold", true, "K", "新的根签名门限", "new root threshold"},
         {"rotate", true, "ROLES", "更换这些角色的密钥：content,timestamp,release",
          "replace the keys of these roles: content,timestamp,release"},
         {"expires-days", true, "D", "新根元数据有效天数（默认 365）",
          "days until the new root expires (default 365)"}},
        0,
        0,
        /*needs_server=*/false};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    RotateRootOptions o;
    int code = kExitOk;
    const std::string* dir = args.value("keys");
    if (dir == nullptr) return reportUsage(ctx, tr(ctx.lang, "需要 --keys", "--keys is required"));
    o.dir = *dir;
    uint32_t threshold = 0;
    if (!numberOption(ctx, args, "new-root-keys", 1, 9, o.new_root_keys, code) ||
        !numberOption(ctx, args, "threshold", 1, 9, threshold, code) ||
        !numberOption(ctx, args, "expires-days", 1, 3650, o.expires_days, code)) {
      return code;
    }
    if (threshold != 0) o.threshold = threshold;
    if (const std::string* r = args.value("rotate"); r != nullptr && !parseRoles(*r, o.rotate)) {
      return reportUsage(ctx, "--rotate: content, timestamp, release");
    }
    o.now = ctx.io.clock->now();
    auto rotated = rotateRoot(o);
    if (!rotated.isOk()) {
      if (rotated.status().code() == ErrorCode::kInvalidArgument) {
        return reportUsage(ctx, rotated.status().message());
      }
      printError(ctx, rotated.status());
      return kExitFailure;
    }
    ctx.out() << tr(ctx.lang, "已签发根元数据 v", "signed root v") << rotated->to_version
              << tr(ctx.lang, "（由 v", " (signed by the keys of v") << rotated->from_version
              << tr(ctx.lang, " 与新根密钥共同签名）\n", " and the new root keys)\n");
    printKeys(ctx, rotated->new_keys);
    ctx.out() << tr(
        ctx.lang,
        "下一步：xiaoan-collector keys import 导入后重启采集服务；终端在下次签到时逐版更新。\n",
        "next: `xiaoan-collector keys import`, then restart the collector; "
        "agents walk the chain at their next check-in.\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeKeysInitCommand() { return std::make_unique<KeysInitCommand>(); }
std::unique_ptr<AdminCommand> makeKeysRotateRootCommand() {
  return std::make_unique<KeysRotateRootCommand>();
}

}  // namespace xiaoan::admin
