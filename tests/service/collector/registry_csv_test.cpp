// The registry CSV: RFC 4180 reading, encoding detection, headers, MAC forms, every bad line
// reported with its number and fix, the checks against the database, the export round trip.
#include "service/collector/registry/registry_csv.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "service/collector/registry/compliance_report.h"
#include "service/collector/registry/csv_reader.h"
#include "service/collector/registry/registry_naming.h"
#include "xiaoan/v1/network.pb.h"

using namespace xiaoan;
using namespace xiaoan::collector;

namespace {

const TextCodec& codec() {
  static const std::unique_ptr<TextCodec> c = makeTextCodec();
  return *c;
}

ParsedRegistry parse(const std::string& text, CsvEncoding enc = CsvEncoding::kAuto) {
  auto r = parseRegistryCsv(text, enc, codec(), nullptr);
  REQUIRE(r.isOk());
  return std::move(*r);
}

std::string linesOf(const ParsedRegistry& p) {
  std::string out;
  for (const auto& i : p.issues) out += std::to_string(i.line) + ":" + i.column + " ";
  return out;
}

const char* kGood =
    "房间,座位号,使用人,MAC地址,IP地址,网关,DNS,命名规则\r\n"
    "机房1,1,,AA-BB-CC-00-00-01,10.1.2.11/24,10.1.2.1,10.1.0.53;10.1.0.54,\r\n"
    "机房1,2,,aa:bb:cc:00:00:02,10.1.2.12/24,10.1.2.1,,{room}-{seat:02}\r\n"
    "办公室,,李维,aabb.cc00.0003,10.1.3.20/24,10.1.3.1,10.1.0.53,\r\n";

}  // namespace

TEST_CASE("csv: quoting, embedded commas, quotes and line breaks, line numbers") {
  auto r = readCsv("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",z\n", CsvLimits{});
  REQUIRE(r.isOk());
  REQUIRE(r->size() == 3);
  CHECK((*r)[1].fields == std::vector<std::string>{"x,1", "say \"hi\""});
  CHECK((*r)[1].line == 2);
  CHECK((*r)[2].fields[0] == "two\nlines");
  CHECK((*r)[2].line == 4);
  CHECK(readCsv("a,\"b\n", CsvLimits{}).status().code() == ErrorCode::kInvalidArgument);
  CHECK(readCsv("\"a\"b\n", CsvLimits{}).status().code() == ErrorCode::kInvalidArgument);
  CHECK(readCsv("a\nb\nc\n", CsvLimits{2, 4, 8}).status().code() == ErrorCode::kTooLarge);
  auto cut = readCsv("abcdefghij\n", CsvLimits{2, 4, 4});
  REQUIRE(cut.isOk());
  CHECK((*cut)[0].field_too_long);
  CHECK(csvLine({"a,b", "c\"d", "e"}) == "\"a,b\",\"c\"\"d\",e");
}

TEST_CASE("registry: UTF-8, UTF-8 with BOM and GBK give the same entries") {
  auto utf8 = parse(kGood);
  CHECK(utf8.encoding == "UTF-8");
  CHECK(utf8.issues.empty());
  REQUIRE(utf8.entries.size() == 3);
  CHECK(utf8.entries[0].mac == "aa:bb:cc:00:00:01");
  CHECK(utf8.entries[0].dns == std::vector<std::string>{"10.1.0.53", "10.1.0.54"});
  CHECK(utf8.entries[1].naming == "{room}-{seat:02}");
  CHECK(utf8.entries[2].owner == "李维");
  CHECK(utf8.entries[2].mac == "aa:bb:cc:00:00:03");
  CHECK(utf8.entries[2].line == 4);
  auto bom = parse(std::string("\xEF\xBB\xBF") + kGood);
  CHECK(bom.encoding == "UTF-8 (BOM)");
  CHECK(bom.entries == utf8.entries);
  auto gbk_bytes = codec().fromUtf8(kGood, Charset::kGbk);
  REQUIRE(gbk_bytes.isOk());
  auto gbk = parse(*gbk_bytes);
  CHECK(gbk.encoding == "GB18030");
  CHECK(gbk.entries == utf8.entries);
  // Forcing UTF-8 on GBK bytes is refused, not guessed.
  std::vector<RegistryIssue> fatal;
  auto forced = parseRegistryCsv(*gbk_bytes, CsvEncoding::kUtf8, codec(), &fatal);
  CHECK(forced.status().code() == ErrorCode::kInvalidArgument);
  CHECK(fatal.size() == 1);
}

TEST_CASE("registry: English headers, netmask column, MAC forms") {
  auto p = parse(
      "Room,Seat,Owner,MAC,IP,Netmask,Gateway\n"
      "lab2,3,,AABBCCDDEE10,192.168.5.30,255.255.255.0,192.168.5.1\n");
  CHECK(p.issues.empty());
  REQUIRE(p.entries.size() == 1);
  CHECK(p.entries[0].ipv4 == "192.168.5.30/24");
  CHECK(p.entries[0].mac == "aa:bb:cc:dd:ee:10");
  CHECK(normalizeMac("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff");
  CHECK(normalizeMac("aabb.ccdd.eeff") == "aa:bb:cc:dd:ee:ff");
  for (const char* bad : {"aa:bb:cc:dd:ee", "aa-bb:cc:dd:ee:ff", "gg:bb:cc:dd:ee:ff", "aabb.ccdd",
                          "aabbccddeeffa", ""}) {
    CAPTURE(bad);
    CHECK(normalizeMac(bad).empty());
  }
}

TEST_CASE("registry: every bad line is reported with its line number, column and fix") {
  auto p = parse(
      "房间,座位号,使用人,MAC地址,IP地址,网关,DNS,命名规则\n"
      "机房1,1,,AA-BB-CC-00-00-01,10.1.2.11/24,10.1.2.1,,\n"       // 2 good
      "机房1,2,,AA-BB-CC-00-00-0Z,10.1.2.12/24,10.1.2.1,,\n"       // 3 bad MAC
      "机房1,3,,AA-BB-CC-00-00-03,10.1.2.11/24,10.1.2.1,,\n"       // 4 duplicate IP of 2
      "机房1,4,,aa:bb:cc:00:00:01,10.1.2.14/24,10.1.2.1,,\n"       // 5 duplicate MAC of 2
      "机房1,5,,AA-BB-CC-00-00-05,10.1.2.15/24,10.1.9.1,,\n"       // 6 gateway outside
      "机房1,6,,AA-BB-CC-00-00-06,10.1.2.16,10.1.2.1,,\n"          // 7 no prefix
      "机房1,1,,AA-BB-CC-00-00-07,10.1.2.17/24,10.1.2.1,,\n"       // 8 duplicate seat of 2
      "机房1,x,,AA-BB-CC-00-00-08,10.1.2.18/24,,8.8.8.x,{host}\n"  // 9 seat, dns, naming
      ",,,AA-BB-CC-00-00-09,10.1.2.19/24,,,\n"                     // 10 neither seat nor owner
      "机房1,10,,01-00-5E-00-00-01,10.1.2.255/24,,,\n");           // 11 multicast MAC, broadcast IP
  CHECK(linesOf(p) ==
        "3:mac 4:ip 5:mac 6:gateway 7:ip 8:seat 9:seat 9:dns 9:naming 10: 11:mac 11:ip ");
  for (const auto& i : p.issues) {
    CHECK_FALSE(i.zh.empty());
    CHECK(i.en.find(':') != std::string::npos);  // "what: fix"
  }
  CHECK(p.issues[2].en ==
        "MAC aa:bb:cc:00:00:01 duplicates line 2: one line per PC, correct one "
        "of them");
}

TEST_CASE("registry: fatal problems — header, encoding, size, row count") {
  std::vector<RegistryIssue> fatal;
  CHECK(parseRegistryCsv("房间,座位号,使用人\n机房1,1,a\n", CsvEncoding::kAuto, codec(), &fatal)
            .status()
            .code() == ErrorCode::kInvalidArgument);
  CHECK(fatal.size() == 2);  // MAC and IP columns missing, both said
  fatal.clear();
  CHECK(parseRegistryCsv("foo,mac,ip\n", CsvEncoding::kAuto, codec(), &fatal).status().code() ==
        ErrorCode::kInvalidArgument);
  REQUIRE(fatal.size() == 1);
  CHECK(fatal[0].en.find("unknown column \"foo\"") == 0);
  CHECK(parseRegistryCsv("\xff\xfe\xfd", CsvEncoding::kAuto, codec(), nullptr).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(parseRegistryCsv(std::string(kMaxRegistryCsvBytes + 1, 'a'), CsvEncoding::kAuto, codec(),
                         nullptr)
            .status()
            .code() == ErrorCode::kTooLarge);
  std::string many = "mac,ip\n";
  for (size_t i = 0; i <= kMaxRegistryRows; ++i) many += "x,y\n";
  CHECK(parseRegistryCsv(many, CsvEncoding::kAuto, codec(), nullptr).status().code() ==
        ErrorCode::kTooLarge);
}

TEST_CASE("registry: rooms, other schools, and the export round trip") {
  auto p = parse(kGood);
  RegistryContext ctx;
  ctx.rooms = {{roomKey("机房1"), "机房1"}};
  ctx.other_ips = {{"10.1.3.20", "other-school"}};
  auto create = checkAgainstDatabase(p, ctx);
  CHECK(create.empty());
  CHECK(linesOf(p) == "4:ip 4:room ");  // sorted by line  // IP of another school; 办公室 unknown
  auto q = parse(std::string(kGood) + "办 公室,,王芳,aa:bb:cc:00:00:04,10.1.3.21/24,,,\n");
  ctx.other_ips.clear();
  ctx.create_rooms = true;
  create = checkAgainstDatabase(q, ctx);
  CHECK(create == std::set<std::string>{"办公室"});
  CHECK(linesOf(q) == "5:room ");  // "办 公室" differs from "办公室" only by a space
  CHECK(roomKey("机房\u30001 ") == "机房1");

  auto round = parse(exportRegistryCsv(parse(kGood).entries));
  CHECK(round.encoding == "UTF-8 (BOM)");
  CHECK(round.issues.empty());
  auto original = parse(kGood).entries;
  REQUIRE(round.entries.size() == original.size());
  for (size_t i = 0; i < original.size(); ++i) {
    CHECK(round.entries[i].mac == original[i].mac);
    CHECK(round.entries[i].ipv4 == original[i].ipv4);
    CHECK(round.entries[i].dns == original[i].dns);
    CHECK(round.entries[i].naming == original[i].naming);
  }
}

TEST_CASE("registry: hostname collisions and unusable names per entry, by OS") {
  auto p = parse(
      "房间,座位号,使用人,MAC地址,IP地址,命名规则\n"
      ",,李维,aa:bb:cc:00:00:01,10.1.3.20/24,\n"
      ",,李伟,aa:bb:cc:00:00:02,10.1.3.21/24,\n"                // same pinyin: Linux only
      ",,李维,aa:bb:cc:00:00:03,10.1.3.22/24,\n"                // same name: both OSes
      ",,王芳,aa:bb:cc:00:00:04,10.1.3.23/24,{owner}-{room}\n"  // no room: unusable
      "机房1,7,,aa:bb:cc:00:00:05,10.1.2.27/24,\n");            // seat without owner
  v1::NamingPolicy school;
  school.set_pattern("{school_abbr}{owner}");
  checkNameCollisions(p, {{"", school}}, "沙中", codec());
  CHECK(linesOf(p) == "5:naming 5:naming ");  // naming off: only the entry with its own rule
  p.issues.clear();
  school.set_enabled(true);
  checkNameCollisions(p, {{"", school}}, "沙中", codec());
  CHECK(linesOf(p) == "3:naming 4:naming 4:naming 5:naming 5:naming 6:naming 6:naming ");
  CHECK(p.issues[0].en ==
        "Linux hostname \"shazhongliwei\" is the same as line 2's: give one of them its own "
        "naming rule");
  CHECK(p.issues[3].en.find("no value for {room}") != std::string::npos);
}

TEST_CASE("compliance: a holder reporting another hostname than its rule is a conflict") {
  ComplianceRow r;
  r.terminal_id = "t1";
  r.school_id = "s1";
  r.hostname = "DESKTOP-1234";
  r.ipv4 = {"10.1.2.11/24"};
  r.last_checkin_ms = 1000;
  r.entry.mac = "aa:bb:cc:00:00:01";
  r.entry.ipv4 = "10.1.2.11/24";
  r.holder = true;
  v1::ComplianceStatus status;
  status.set_state(v1::COMPLIANCE_STATE_COMPLIANT);
  status.set_expected_hostname("lab1-07");
  r.status = status.SerializeAsString();
  r.state = status.state();
  ComplianceOptions options;
  options.now_ms = 2000;
  auto report = buildComplianceReport({r}, options);
  CHECK(report.total().compliant() == 1);
  CHECK(report.total().conflicts() == 1);
  REQUIRE(report.offenders_size() == 1);
  CHECK(report.offenders(0).category() == "conflict");
  CHECK(report.offenders(0).reason_en() ==
        "hostname DESKTOP-1234, its naming rule asks for lab1-07");
  r.hostname = "LAB1-07";  // names compare case-insensitively
  CHECK(buildComplianceReport({r}, options).offenders_size() == 0);
  // The agent reports the wrong name itself: a violation, not also a conflict.
  r.hostname = "DESKTOP-1234";
  status.set_state(v1::COMPLIANCE_STATE_VIOLATION);
  status.add_violations()->set_kind(v1::VIOLATION_KIND_HOSTNAME);
  r.status = status.SerializeAsString();
  r.state = status.state();
  auto reported = buildComplianceReport({r}, options);
  CHECK(reported.total().conflicts() == 0);
  CHECK(reported.total().violation() == 1);
  // A rename waiting for the next reboot is neither.
  status.clear_violations();
  status.set_state(v1::COMPLIANCE_STATE_PENDING_REBOOT);
  r.status = status.SerializeAsString();
  r.state = status.state();
  auto pending = buildComplianceReport({r}, options);
  CHECK(pending.total().conflicts() == 0);
  CHECK(pending.total().pending_reboot() == 1);
}
