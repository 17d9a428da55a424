#include "service/collector/cli.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <boost/program_options.hpp>

#include "common/text/tr.h"
#include "platform/clock.h"
#include "platform/logging.h"
#include "platform/process.h"
#include "service/collector/cli_support.h"
#include "service/collector/collector_server.h"
#include "service/collector/db_commands.h"
#include "service/collector/init_command.h"
#include "service/collector/retention_command.h"
#include "service/collector/trust/trust_keys.h"

namespace xiaoan::collector {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "usage: xiaoan-collector init --data-dir D [--server-name NAME]... [--address IP]...\n"
    "                            [--admin-password-file F]\n"
    "       xiaoan-collector serve --data-dir D [--agent-listen ADDR:PORT]\n"
    "                            [--admin-listen ADDR:PORT] [options]\n"
    "                            [--check-db quick|full]\n"
    "       xiaoan-collector keys import --data-dir D --from KEYDIR\n"
    "       xiaoan-collector backup --data-dir D --out FILE\n"
    "       xiaoan-collector restore --data-dir D --from FILE\n"
    "       xiaoan-collector check --data-dir D [--full]\n"
    "       xiaoan-collector retention run --data-dir D [--batch N] [--json]\n"
    "       xiaoan-collector COMMAND --help\n";

// "127.0.0.1:8443", "[::]:8443" -> address and port.
bool parseListen(const std::string& text, std::string& address, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, port);
  return ec == std::errc() && ptr == end && begin != end;
}

int runInit(const std::vector<std::string>& args, Lang lang) {
  InitOptions opts;
  po::options_description desc("xiaoan-collector init", helpWidth(lang));
  addCommonOptions(desc, lang);
  desc.add_options()("data-dir", po::value(&opts.data_dir)->required(), "data directory to create")(
      "server-name", po::value(&opts.server_names)->composing(),
      "DNS name of the collector for its certificate (repeatable; default localhost)")(
      "address", po::value(&opts.addresses)->composing(),
      "IP address of the collector for its certificate (repeatable; default 127.0.0.1)")(
      "admin-password-file", po::value(&opts.admin_password_file),
      "file holding the password of the first admin account (default: generate and print)");
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(args, desc, vm, code)) return code;
  auto outcome = initDataDir(opts);
  if (!outcome.isOk()) return fail(outcome.status(), lang);
  std::cout << "initialised collector data dir " << opts.data_dir << "\n";
  if (!outcome->admin_password.empty()) {
    std::cout << "admin password: " << outcome->admin_password << "\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

// `keys import`: the content and timestamp keys and the root chain from `xiaoan-admin keys init`.
int runKeysImport(const std::vector<std::string>& args, Lang lang) {
  std::string data_dir;
  std::string from;
  po::options_description desc("xiaoan-collector keys import", helpWidth(lang));
  addCommonOptions(desc, lang);
  desc.add_options()("data-dir", po::value(&data_dir)->required(), "collector data directory")(
      "from", po::value(&from)->required(),
      "key directory made by `xiaoan-admin keys init` (root and release keys are not copied)");
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(args, desc, vm, code)) return code;
  auto imported = importKeys(data_dir, from);
  if (!imported.isOk()) return fail(imported.status(), lang);
  std::cout << "imported root chain up to v" << imported->root_version << " ("
            << imported->roots_added << " new), content key "
            << imported->content_key_id.substr(0, 16) << ", timestamp key "
            << imported->timestamp_key_id.substr(0, 16) << "\n"
            << "restart the collector to sign with these keys" << std::endl;
  return kExitOk;
}

// Per-address caps and the handshake deadline (issue 10 finding 3: idle sockets must not lock
// admins or agents out).
void addConnectionOptions(po::options_description& desc, CollectorConfig& c,
                          uint32_t& handshake_seconds, Lang lang) {
  desc.add_options()(
      "max-connections-per-address",
      po::value(&c.agent_listener.max_connections_per_address)->default_value(256),
      tr(lang,
         "同一源地址的并发代理连接数上限，超出的连接立即关闭（多台电脑经同一 NAT 地址连接时调大）",
         "concurrent agent connections from one source address; more are closed at once (raise "
         "it when many PCs reach the collector through one NAT address)")
          .c_str())(
      "admin-max-connections-per-address",
      po::value(&c.admin_listener.max_connections_per_address)->default_value(8),
      tr(lang, "同一源地址的并发管理连接数上限，超出的连接立即关闭",
         "concurrent admin connections from one source address; more are closed at once")
          .c_str())(
      "handshake-timeout", po::value(&handshake_seconds)->default_value(5),
      tr(lang, "连接建立后须在此秒数内完成 TLS 握手，否则断开（两个端口均适用，1..60）",
         "seconds from connect to the end of the TLS handshake on both ports; a silent or slow "
         "peer is cut after it (1..60)")
          .c_str());
}

bool setConnectionOptions(CollectorConfig& c, uint32_t handshake_seconds, Lang lang) {
  if (c.agent_listener.max_connections_per_address < 1 ||
      c.admin_listener.max_connections_per_address < 1 || handshake_seconds < 1 ||
      handshake_seconds > 60) {
    std::cerr << tr(lang,
                    "xiaoan-collector：每地址连接上限须 >= 1，--handshake-timeout 须为 1..60 秒\n",
                    "xiaoan-collector: per-address connection caps must be >= 1, "
                    "--handshake-timeout 1..60 s\n");
    return false;
  }
  for (auto* l : {&c.agent_listener, &c.admin_listener}) {
    l->tls_handshake_timeout = std::chrono::seconds(handshake_seconds);
    l->handshake_timeout = std::max(l->handshake_timeout, l->tls_handshake_timeout);
  }
  return true;
}

void addServeOptions(po::options_description& desc, CollectorConfig& c, std::string& agent,
                     std::string& admin, std::string& level, uint64_t& retention_interval) {
  desc.add_options()("data-dir", po::value(&c.data_dir)->required(), "data directory made by init")(
      "agent-listen", po::value(&agent)->default_value("127.0.0.1:8443"),
      "agent API address (port 0: any free port)")(
      "admin-listen", po::value(&admin)->default_value("127.0.0.1:8444"), "admin API address")(
      "max-connections", po::value(&c.agent_listener.max_connections)->default_value(4096),
      "concurrent agent connections (about 80 KiB of memory each while open); more are closed "
      "at once")("admin-max-connections",
                 po::value(&c.admin_listener.max_connections)->default_value(64),
                 "concurrent admin connections")(
      "checkin-interval", po::value(&c.checkin_interval_seconds)->default_value(60),
      "seconds between agent check-ins")("writer-queue",
                                         po::value(&c.writer.max_queue_jobs)->default_value(1024),
                                         "queued write requests before answering 503")(
      "io-threads", po::value(&c.io_threads)->default_value(2), "network threads")(
      "retention-interval", po::value(&retention_interval)->default_value(3600),
      "seconds between retention passes (0: none; xiaoan-collector retention run)")(
      "log-level", po::value(&level)->default_value("info"), "trace|debug|info|warn|error");
}

// Lifetimes of the signed metadata issued to agents, in seconds (tests use short ones).
void addContentOptions(po::options_description& desc, uint64_t& timestamp_ttl,
                       uint64_t& targets_ttl) {
  desc.add_options()("timestamp-ttl", po::value(&timestamp_ttl)->default_value(7 * 86400),
                     "seconds a signed timestamp stays valid (re-signed at half)")(
      "targets-ttl", po::value(&targets_ttl)->default_value(30 * 86400),
      "seconds signed content targets stay valid (re-signed at half)");
}

bool setContentLifetimes(CollectorConfig& config, uint64_t timestamp_ttl, uint64_t targets_ttl) {
  constexpr uint64_t kMaxTtl = 10ull * 366 * 86400;
  if (timestamp_ttl < 2 || targets_ttl < 2 || timestamp_ttl > kMaxTtl || targets_ttl > kMaxTtl) {
    std::cerr << "xiaoan-collector: --timestamp-ttl and --targets-ttl must be 2 s .. 10 years\n";
    return false;
  }
  config.timestamp_ttl = std::chrono::seconds(timestamp_ttl);
  config.targets_ttl = std::chrono::seconds(targets_ttl);
  return true;
}

// libprotobuf logs every undecodable message (e.g. invalid UTF-8 in a string field) at ERROR
// level; peers could flood the log with that. The request is answered E_PROTOCOL anyway, so
// the library's own lines only go to debug.
void protobufLogToDebug(google::protobuf::LogLevel level, const char* file, int line,
                        const std::string& message) {
  componentLogger(LogComponent::kCollectorProtobuf)
      ->debug("libprotobuf level {} at {}:{}: {}", static_cast<int>(level), file, line, message);
}

int serveUntilSignal(const CollectorConfig& config) {
  // Hold the stop signals back in every thread (threads inherit that) and wait for them here.
  SignalWaiter stop_signals({ProcessSignal::kInterrupt, ProcessSignal::kTerminate});
  ignoreBrokenPipe();
  google::protobuf::SetLogHandler(&protobufLogToDebug);
  SystemClock clock;
  auto server = CollectorServer::create(config, clock);
  if (!server.isOk()) return fail(server.status(), config.lang);
  if (Status st = (*server)->start(); !st.isOk()) return fail(st, config.lang);
  std::cout << "agent api listening on " << (*server)->agentAddress() << "\n"
            << "admin api listening on " << (*server)->adminAddress() << std::endl;
  const ProcessSignal sig = stop_signals.wait();
  componentLogger(LogComponent::kCollector)->info("{}: stopping", processSignalName(sig));
  (*server)->stop();
  return kExitOk;
}

// How the database is checked before serving.
void addCheckOption(po::options_description& desc, std::string& check, Lang lang) {
  desc.add_options()(
      "check-db", po::value(&check)->default_value("quick"),
      tr(lang,
         "启动前检查数据库：quick（PRAGMA quick_check，默认）或 full（PRAGMA "
         "integrity_check，大库需数分钟）；未通过则拒绝启动",
         "check the database before serving: quick (PRAGMA quick_check, default) or full "
         "(PRAGMA integrity_check; minutes on a large database); refuse to serve when it fails")
          .c_str());
}

int runServe(const std::vector<std::string>& args, Lang lang) {
  CollectorConfig config;
  config.lang = lang;
  std::string agent;
  std::string admin;
  std::string level;
  std::string check;
  uint64_t timestamp_ttl = 0;
  uint64_t targets_ttl = 0;
  uint32_t handshake_seconds = 0;
  po::options_description desc("xiaoan-collector serve", helpWidth(lang));
  addCommonOptions(desc, lang);
  uint64_t retention_interval = 0;
  addServeOptions(desc, config, agent, admin, level, retention_interval);
  addConnectionOptions(desc, config, handshake_seconds, lang);
  addCheckOption(desc, check, lang);
  addContentOptions(desc, timestamp_ttl, targets_ttl);
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(args, desc, vm, code)) return code;
  if (!parseListen(agent, config.agent_listener.address, config.agent_listener.port) ||
      !parseListen(admin, config.admin_listener.address, config.admin_listener.port)) {
    std::cerr << "xiaoan-collector: listen addresses must look like 127.0.0.1:8443\n";
    return kExitUsage;
  }
  if (!setLogLevel(level)) {
    std::cerr << "xiaoan-collector: unknown log level " << level << "\n";
    return kExitUsage;
  }
  // The interval is the built-in policy default: policy.proto's range applies.
  if (config.checkin_interval_seconds < 10 || config.checkin_interval_seconds > 86400 ||
      config.writer.max_queue_jobs < 1) {
    std::cerr << "xiaoan-collector: --checkin-interval must be 10..86400, --writer-queue >= 1\n";
    return kExitUsage;
  }
  if (!setContentLifetimes(config, timestamp_ttl, targets_ttl)) return kExitUsage;
  if (!setConnectionOptions(config, handshake_seconds, lang)) return kExitUsage;
  if (retention_interval > 7 * 86400) {
    std::cerr << "xiaoan-collector: "
              << tr(lang, "--retention-interval 应为 0（不清理）到 604800 秒",
                    "--retention-interval must be 0 (none) .. 604800 seconds")
              << "\n";
    return kExitUsage;
  }
  config.retention_interval = std::chrono::seconds(retention_interval);
  // A short interval (tests, a manual catch-up) also starts soon.
  config.retention_first_delay =
      std::min(config.retention_first_delay, std::chrono::seconds(retention_interval));
  if (!parseDbCheck(check, config.db_check)) {
    std::cerr << "xiaoan-collector: --check-db must be quick or full\n";
    return kExitUsage;
  }
  return serveUntilSignal(config);
}

}  // namespace

int runCollectorCli(int argc, char** argv, Lang env_lang) {
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  const Lang lang = commandLang(args, env_lang);
  if (command == "init") return runInit(args, lang);
  if (command == "serve") return runServe(args, lang);
  if (command == "backup") return runBackupCommand(args, lang);
  if (command == "restore") return runRestoreCommand(args, lang);
  if (command == "check") return runCheckCommand(args, lang);
  if (command == "retention") return runRetentionCommand(args, lang);
  if (command == "keys" && !args.empty() && args.front() == "import") {
    return runKeysImport(std::vector<std::string>(args.begin() + 1, args.end()), lang);
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  std::cerr << "xiaoan-collector: unknown command '" << command << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace xiaoan::collector
