// xiaoan_ingest_bench: end-to-end ingest rate of the collector (mTLS, protobuf decode,
// validation, group commit with synchronous=FULL, ack after commit) against a raw SQLite
// insert of the same rows into the same schema, one transaction per batch, in the same run.
//
//   xiaoan_ingest_bench [--agents 8] [--threads 2] [--batch 500] [--seconds 10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto/pki.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "service/collector/agent_api/agent_codec.h"
#include "service/collector/collector_server.h"
#include "service/collector/init_command.h"
#include "service/collector/store/sqlite_store.h"
#include "service/collector/trust/crypto_util.h"
#include "tests/bench/collector/raw_insert.h"
#include "tests/service/collector/support/temp_dir.h"
#include "tests/service/collector/support/tls_client.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector::bench {
namespace {

using testing::ClientIdentity;
using testing::TempDir;
using testing::TlsClient;

struct Options {
  int agents = 8;
  int threads = 2;
  int batch = 500;
  double seconds = 10;
};

struct Agent {
  std::string id;
  ClientIdentity identity;
  uint64_t epoch = 0;
  uint64_t next_seq = 1;
};

struct ThreadResult {
  uint64_t stored = 0;
  uint64_t batches = 0;
  uint64_t overloaded = 0;
  uint64_t errors = 0;
  std::vector<double> latencies_ms;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "xiaoan_ingest_bench: %s\n", what.c_str());
  std::exit(1);
}

// A batch as an agent's spool would upload it: diagnostic events of ~100 bytes.
std::string makeBatch(uint64_t epoch, uint64_t first_seq, int count) {
  v1::EventBatch b;
  for (int i = 0; i < count; ++i) {
    auto* e = b.add_events();
    e->set_stream("activity");
    e->set_epoch(epoch);
    e->set_seq(first_seq + static_cast<uint64_t>(i));
    e->set_priority(v1::PRIORITY_ACTIVITY);
    e->mutable_wall_time()->set_seconds(1'800'000'000 + i);
    e->set_monotonic_ns(123'456'789ull * static_cast<uint64_t>(i));
    e->set_boot_id("3f0c6b1d-2a9e-4c8b-8e7d-6c5b4a392817");
    auto* d = e->mutable_diagnostic();
    d->set_text("ingest benchmark");
    d->set_request_id("bench-" + std::to_string(epoch));
    d->set_index(static_cast<uint32_t>(first_seq + static_cast<uint64_t>(i)));
    d->set_count(1'000'000);
  }
  return b.SerializeAsString();
}

std::string initCollector(const TempDir& dir, std::string& token) {
  InitOptions init;
  init.data_dir = dir.file("data");
  init.admin_password_file = dir.write("pw", "bench-password\n");
  if (auto made = initDataDir(init); !made.isOk()) die(made.status().toString());
  auto store = SqliteStore::open(init.data_dir + "/collector.db", false);
  if (!store.isOk()) die(store.status().toString());
  AuditRow audit{0, "bench", "school.add", "bench", "{}"};
  if (!(*store)->addSchool({"bench", "Bench", "B", 0}, audit).isOk()) die("add school");
  TokenRow t;
  t.id = "be0c";
  t.secret_sha256_hex = sha256Hex("bench-secret");
  t.school_id = "bench";
  if (!(*store)->addToken(t, audit).isOk()) die("add token");
  token = "be0c.bench-secret";
  return init.data_dir;
}

Agent enroll(uint16_t port, const std::string& ca, const std::string& token, int n) {
  auto key = pki::PrivateKey::generateEcP256();
  auto csr = pki::makeCsrPem(*key, "pending");
  v1::EnrollRequest req;
  req.set_token(token);
  req.set_csr_pem(*csr);
  char mac[32];
  std::snprintf(mac, sizeof mac, "02:00:00:00:%02x:%02x", n / 256, n % 256);
  req.mutable_facts()->add_interfaces()->set_mac(mac);
  TlsClient c({port, ca, std::nullopt});
  if (!c.connect().isOk()) die("enroll connect");
  auto res = c.request("POST", "/v1/enroll", req.SerializeAsString());
  v1::EnrollResponse er;
  if (!res.isOk() || res->status != 200 || !er.ParseFromString(res->body)) die("enroll failed");
  return Agent{er.agent_id(), {er.certificate_pem(), *key->toPem()}, 1000u + n, 1};
}

void sendLoop(uint16_t port, const std::string& ca, std::vector<Agent*> mine, const Options& opt,
              std::chrono::steady_clock::time_point deadline, ThreadResult& out) {
  std::vector<std::unique_ptr<TlsClient>> conns;
  for (auto* a : mine) {
    conns.push_back(std::make_unique<TlsClient>(testing::TlsClientOptions{port, ca, a->identity}));
    if (!conns.back()->connect().isOk()) die("mTLS connect");
  }
  for (size_t i = 0; std::chrono::steady_clock::now() < deadline; i = (i + 1) % mine.size()) {
    Agent& a = *mine[i];
    std::string body = makeBatch(a.epoch, a.next_seq, opt.batch);
    auto start = std::chrono::steady_clock::now();
    auto res = conns[i]->request("POST", "/v1/events", body);
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    v1::EventBatchResponse r;
    if (res.isOk() && res->status == 200 && r.ParseFromString(res->body)) {
      out.stored += r.stored();
      ++out.batches;
      out.latencies_ms.push_back(took.count());
      a.next_seq += static_cast<uint64_t>(opt.batch);
    } else if (res.isOk() && res->status == 503) {
      ++out.overloaded;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } else {
      ++out.errors;
      die("events request failed: " +
          (res.isOk() ? std::to_string(res->status) : res.status().toString()));
    }
  }
}

// Rebuilds every batch the run stored and times only the inserts.
double rawBaseline(const TempDir& dir, const std::vector<Agent>& agents, const Options& opt,
                   uint64_t& rows) {
  RawInserter raw;
  if (!raw.open(dir.file("raw.db"))) die("raw database");
  double seconds = 0;
  for (const auto& a : agents) {
    for (uint64_t seq = 1; seq < a.next_seq; seq += static_cast<uint64_t>(opt.batch)) {
      auto decoded = decodeEventBatch(makeBatch(a.epoch, seq, opt.batch));
      if (!decoded.isOk()) die("decode");
      double t = raw.insertBatch(a.id, decoded->events);
      if (t < 0) die("raw insert");
      seconds += t;
      rows += decoded->events.size();
    }
  }
  return seconds;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

uint64_t storedRows(const std::string& data_dir) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  uint64_t count = 0;
  if (sqlite3_open((data_dir + "/collector.db").c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM events WHERE type = 'diagnostic'", -1, &st,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    count = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return count;
}

int report(const Options& opt, const TempDir& dir, const std::vector<Agent>& agents,
           const std::vector<ThreadResult>& results, double elapsed, const WriterStats& writer,
           const std::string& data_dir) {
  ThreadResult sum;
  for (const auto& r : results) {
    sum.stored += r.stored;
    sum.batches += r.batches;
    sum.overloaded += r.overloaded;
    sum.latencies_ms.insert(sum.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  uint64_t in_db = storedRows(data_dir);
  uint64_t raw_rows = 0;
  double raw_seconds = rawBaseline(dir, agents, opt, raw_rows);
  double collector_rate = static_cast<double>(sum.stored) / elapsed;
  double raw_rate = static_cast<double>(raw_rows) / raw_seconds;
  std::printf(
      "collector ingest: %llu events in %llu batches of %d from %d agents / %d threads "
      "in %.2f s = %.0f events/s\n",
      static_cast<unsigned long long>(sum.stored), static_cast<unsigned long long>(sum.batches),
      opt.batch, opt.agents, opt.threads, elapsed, collector_rate);
  std::printf(
      "  request latency p50 %.1f ms, p99 %.1f ms; 503 answers: %llu; transactions: %llu "
      "(%.1f batches per commit)\n",
      percentile(sum.latencies_ms, 0.5), percentile(sum.latencies_ms, 0.99),
      static_cast<unsigned long long>(sum.overloaded),
      static_cast<unsigned long long>(writer.transactions),
      writer.transactions
          ? static_cast<double>(writer.jobs_committed) / static_cast<double>(writer.transactions)
          : 0.0);
  std::printf("  rows in the collector database: %llu (acked: %llu)\n",
              static_cast<unsigned long long>(in_db), static_cast<unsigned long long>(sum.stored));
  std::printf(
      "raw SQLite insert (same rows, same schema, WAL + synchronous=FULL, one transaction "
      "per batch): %llu rows in %.2f s = %.0f events/s\n",
      static_cast<unsigned long long>(raw_rows), raw_seconds, raw_rate);
  std::printf("ratio collector/raw: %.0f %% (target >= 50 %%); collector >= 20000 events/s: %s\n",
              100.0 * collector_rate / raw_rate, collector_rate >= 20000 ? "yes" : "no");
  return in_db == sum.stored ? 0 : 1;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    double v = std::atof(argv[i + 1]);
    if (k == "--agents")
      o.agents = static_cast<int>(v);
    else if (k == "--threads")
      o.threads = static_cast<int>(v);
    else if (k == "--batch")
      o.batch = static_cast<int>(v);
    else if (k == "--seconds")
      o.seconds = v;
    else
      die("unknown option " + k);
  }
  if (o.agents < o.threads || o.threads < 1 || o.batch < 1 || o.batch > 1000) die("bad options");
  return o;
}

int run(const Options& opt) {
  setLogLevel("warn");
  TempDir dir;
  std::string token;
  std::string data_dir = initCollector(dir, token);
  CollectorConfig config;
  config.data_dir = data_dir;
  config.agent_listener.port = 0;
  config.admin_listener.port = 0;
  SystemClock clock;
  auto server = CollectorServer::create(config, clock);
  if (!server.isOk()) die(server.status().toString());
  if (Status st = (*server)->start(); !st.isOk()) die(st.toString());
  auto ca_pem = readFile(data_dir + "/ca.pem", 65536);
  if (!ca_pem.isOk()) die(ca_pem.status().toString());
  const std::string& ca = *ca_pem;
  uint16_t port = (*server)->agentPort();
  std::vector<Agent> agents;
  for (int n = 0; n < opt.agents; ++n) agents.push_back(enroll(port, ca, token, n));

  std::vector<ThreadResult> results(static_cast<size_t>(opt.threads));
  std::vector<std::thread> threads;
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(opt.seconds));
  for (int t = 0; t < opt.threads; ++t) {
    std::vector<Agent*> mine;
    for (int n = t; n < opt.agents; n += opt.threads)
      mine.push_back(&agents[static_cast<size_t>(n)]);
    threads.emplace_back(sendLoop, port, ca, mine, std::cref(opt), deadline,
                         std::ref(results[static_cast<size_t>(t)]));
  }
  for (auto& t : threads) t.join();
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  auto writer = (*server)->writerStats();
  (*server)->stop();
  return report(opt, dir, agents, results, elapsed.count(), writer, data_dir);
}

}  // namespace
}  // namespace xiaoan::collector::bench

int main(int argc, char** argv) {
  using namespace xiaoan::collector::bench;
  return run(parseOptions(argc, argv));
}
