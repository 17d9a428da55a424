#include "common/naming/naming_rule.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "tests/fakes/fake_text_codec.h"

using namespace xiaoan;
using namespace xiaoan::naming;

namespace {

const TextCodec& gbk() {
  static const std::unique_ptr<TextCodec> codec = makeTextCodec();
  return *codec;
}

v1::NamingPolicy teacher(const char* abbr, const char* owner) {
  v1::NamingPolicy n;
  n.set_pattern("{school_abbr}{owner}");
  n.set_school_abbr(abbr);
  n.set_owner(owner);
  return n;
}

}  // namespace

TEST_CASE("naming: a teacher's PC, Linux static pinyin + pretty Chinese, Windows Chinese") {
  auto n = teacher("沙中", "李维");
  auto linux = decideHostname(n, HostOs::kLinux, gbk());
  REQUIRE(linux.usable);
  CHECK(linux.source == NameSource::kPattern);
  CHECK(linux.hostname == "shazhongliwei");
  CHECK(linux.pretty == "沙中李维");
  CHECK(describeDecision(linux, HostOs::kLinux, Lang::kEn).empty());
  auto windows = decideHostname(n, HostOs::kWindows, gbk());
  REQUIRE(windows.usable);
  CHECK(windows.hostname == "沙中李维");
  CHECK(windows.pretty == "沙中李维");
}

TEST_CASE("naming: lab seats, zero padding, values with characters a hostname cannot hold") {
  v1::NamingPolicy n;
  n.set_pattern("{room}-{seat:02}");
  n.set_room("机房 1");
  n.set_seat(7);
  auto linux = decideHostname(n, HostOs::kLinux, gbk());
  REQUIRE(linux.usable);
  CHECK(linux.hostname == "jifang1-07");
  CHECK(linux.pretty == "机房1-07");
  n.set_pattern("LAB_{seat:03}");  // invalid template: '_' is refused by the parser
  auto bad = decideHostname(n, HostOs::kLinux, gbk());
  CHECK_FALSE(bad.usable);
  REQUIRE(bad.passed_over.size() == 1);
  CHECK(bad.passed_over[0].problem == NameProblem::kBadTemplate);
  n.set_pattern("LAB-{seat:03}");
  n.set_seat(1234);  // wider than the padding: never truncated
  CHECK(decideHostname(n, HostOs::kLinux, gbk()).hostname == "lab-1234");
}

TEST_CASE("naming: GBK NetBIOS limit (15 bytes, a Chinese character is 2) picks the fallback") {
  auto n = teacher("沙中", "欧阳娜娜");  // 6 characters = 12 bytes in GBK: fits
  CHECK(decideHostname(n, HostOs::kWindows, gbk()).hostname == "沙中欧阳娜娜");
  n = teacher("厦门一中", "欧阳娜娜");  // 8 characters = 16 bytes: over by one
  n.set_fallback("{school_abbr}{owner_initials}");
  auto d = decideHostname(n, HostOs::kWindows, gbk());
  REQUIRE(d.usable);
  CHECK(d.source == NameSource::kFallback);
  CHECK(d.hostname == "厦门一中oynn");  // 8 + 4 = 12 bytes
  REQUIRE(d.passed_over.size() == 1);
  CHECK(d.passed_over[0].problem == NameProblem::kTooLongNetbios);
  CHECK(d.passed_over[0].bytes == 16);
  CHECK(describeDecision(d, HostOs::kWindows, Lang::kEn) ==
        "rule \u201c{school_abbr}{owner}\u201d: \u201c厦门一中欧阳娜娜\u201d is 16 bytes in GBK, "
        "over the NetBIOS limit of 15; using the fallback rule: \u201c厦门一中oynn\u201d");
  CHECK(describeDecision(d, HostOs::kWindows, Lang::kZhCn).find("NetBIOS 名称上限 15 字节") !=
        std::string::npos);
  // The same rule fits Linux: the static name is ASCII pinyin (24 bytes).
  auto linux = decideHostname(n, HostOs::kLinux, gbk());
  CHECK(linux.source == NameSource::kPattern);
  CHECK(linux.hostname == "xiamenyizhongouyangnana");
}

TEST_CASE("naming: 15 bytes exactly fits, and mixed ASCII counts 1 byte per letter") {
  auto n = teacher("实验", "王小明");  // 5 characters = 10 bytes
  n.set_pattern("{school_abbr}{owner}-pc");
  CHECK(decideHostname(n, HostOs::kWindows, gbk()).usable);  // 10 + 3 = 13
  n.set_pattern("{school_abbr}{owner}-pc01");                // 15
  CHECK(decideHostname(n, HostOs::kWindows, gbk()).usable);
  n.set_pattern("{school_abbr}{owner}-pc001");  // 16
  auto d = decideHostname(n, HostOs::kWindows, gbk());
  CHECK_FALSE(d.usable);
  CHECK(describeDecision(d, HostOs::kWindows, Lang::kZhCn).find("没有可用于 Windows") !=
        std::string::npos);
}

TEST_CASE("naming: missing values, unencodable characters, digits only, Linux 64 bytes") {
  v1::NamingPolicy n;
  n.set_pattern("{school_abbr}{owner}");
  n.set_fallback("{room}-{seat:02}");
  n.set_school_abbr("沙中");
  n.set_room("lab2");
  n.set_seat(3);
  auto d = decideHostname(n, HostOs::kLinux, gbk());
  CHECK(d.hostname == "lab2-03");
  REQUIRE(d.passed_over.size() == 1);
  CHECK(d.passed_over[0].problem == NameProblem::kMissingValue);
  CHECK(d.passed_over[0].detail == "owner");
  CHECK(describeDecision(d, HostOs::kLinux, Lang::kZhCn).find("缺少 {owner} 的值") !=
        std::string::npos);

  n.set_owner("김민준");  // Hangul: no pinyin, and not in GBK
  CHECK(decideHostname(n, HostOs::kLinux, gbk()).passed_over[0].problem ==
        NameProblem::kNotRomanizable);
  CHECK(decideHostname(n, HostOs::kWindows, gbk()).passed_over[0].problem == NameProblem::kNotGbk);
  testing::FakeTextCodec fake;  // the same decision with the GBK model
  CHECK(decideHostname(n, HostOs::kWindows, fake).passed_over[0].problem == NameProblem::kNotGbk);

  v1::NamingPolicy digits;
  digits.set_pattern("{seat:03}");
  digits.set_seat(12);
  CHECK(decideHostname(digits, HostOs::kLinux, gbk()).hostname == "012");
  CHECK(decideHostname(digits, HostOs::kWindows, gbk()).passed_over[0].problem ==
        NameProblem::kDigitsOnly);

  v1::NamingPolicy long_name;
  long_name.set_pattern("{owner}{room}");
  long_name.set_owner(std::string(40, 'a'));
  long_name.set_room(std::string(25, 'b'));
  auto l = decideHostname(long_name, HostOs::kLinux, gbk());
  REQUIRE(l.passed_over.size() == 1);
  CHECK(l.passed_over[0].problem == NameProblem::kTooLongLinux);
  CHECK(l.passed_over[0].bytes == 65);
}

TEST_CASE("naming: a fixed hostname wins; nothing asked = not usable, no note") {
  auto n = teacher("沙中", "李维");
  n.set_hostname("XMSY-T01");
  auto d = decideHostname(n, HostOs::kWindows, gbk());
  CHECK(d.source == NameSource::kFixedHostname);
  CHECK(d.hostname == "XMSY-T01");
  v1::NamingPolicy none;
  auto empty = decideHostname(none, HostOs::kLinux, gbk());
  CHECK_FALSE(empty.usable);
  CHECK(empty.passed_over.empty());
  CHECK(describeDecision(empty, HostOs::kLinux, Lang::kEn).empty());
}

TEST_CASE("naming: collisions — same name, or same pinyin of different characters") {
  auto a = decideHostname(teacher("沙中", "李维"), HostOs::kLinux, gbk());
  auto b = decideHostname(teacher("沙中", "李伟"), HostOs::kLinux, gbk());
  CHECK(sameHostname(a.hostname, b.hostname));  // both shazhongliwei on Linux
  auto wa = decideHostname(teacher("沙中", "李维"), HostOs::kWindows, gbk());
  auto wb = decideHostname(teacher("沙中", "李伟"), HostOs::kWindows, gbk());
  CHECK_FALSE(sameHostname(wa.hostname, wb.hostname));  // distinct Chinese computer names
  CHECK(sameHostname("LAB-01", "lab-01"));
  CHECK_FALSE(sameHostname("lab-01", "lab-011"));
}
