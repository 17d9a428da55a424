#include "signatures/bundle.h"

#include <doctest/doctest.h>
#include <google/protobuf/stubs/logging.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace xiaoan::sig {
namespace {

using xiaoan::testing::TempDir;
namespace fs = std::filesystem;

// Invalid UTF-8 in string fields is what some tests feed on purpose; keep protobuf quiet.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

v1::SignatureBundle bundleOf(const std::vector<std::pair<std::string, std::string>>& files) {
  v1::SignatureBundle b;
  b.set_version(7);
  for (const auto& [name, text] : files) {
    auto* f = b.add_files();
    f->set_name(name);
    f->set_content(text);
  }
  return b;
}

v1::SignatureBundle oneFile(const std::string& name, const std::string& text = "") {
  return bundleOf({{name, text}});
}

void checkRejected(const Status& st, ErrorCode code, const std::string& says) {
  CHECK_MESSAGE(st.code() == code, st.toString());
  CHECK_MESSAGE(st.message().find(says) != std::string::npos, st.toString());
}

void mkdirs(const TempDir& dir, const std::string& rel) { fs::create_directories(dir.sub(rel)); }

TEST_CASE("a valid bundle parses back as it was serialized") {
  auto b = bundleOf({{"a.yar", "rule a { condition: true }"},
                     {"web/shell.yara", "rule b { condition: false }"},
                     {"中文/规则.yar", ""},
                     {"a..b.yar", ""},
                     {".dot/x.yar", ""}});
  b.set_description("默认规则");
  b.set_rule_count(2);
  auto parsed = parseBundle(b.SerializeAsString());
  REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  CHECK(parsed->SerializeAsString() == b.SerializeAsString());
  CHECK(parsed->version() == 7);
  CHECK(checkBundleShape(b).isOk());
}

TEST_CASE("the size cap applies before anything is parsed") {
  std::string big(kMaxBundleBytes + 1, '\xff');  // not a bundle at all: the cap decides first
  checkRejected(parseBundle(big).status(), ErrorCode::kTooLarge, "more than");
  checkRejected(parseBundle("\xff\xff\xff garbage").status(), ErrorCode::kInvalidArgument,
                "does not parse");
}

TEST_CASE("file names must be relative, '/'-separated, clean and end in .yar or .yara") {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty name"},
      {"/etc/x.yar", "empty path segment"},
      {"a//b.yar", "empty path segment"},
      {"a/", "empty path segment"},
      {"./a.yar", "'.' and '..'"},
      {"a/../../b.yar", "'.' and '..'"},
      {"..", "'.' and '..'"},
      {"a\\b.yar", "backslash"},
      {std::string("a\0b.yar", 7), "control character or NUL"},
      {"a\nb.yar", "control character or NUL"},
      {"rules.txt", "not a .yar or .yara file"},
      {"rules.YAR", "not a .yar or .yara file"},
      {"dir/.yar", "no name before the extension"},
      {std::string(kMaxRuleFileName - 3, 'a') + ".yar", "longer than"},
      {"bad\xff.yar", "not valid UTF-8"},
      {"\xc0\xaf.yar", "not valid UTF-8"},          // overlong '/'
      {"\xed\xa0\x80.yar", "not valid UTF-8"},      // surrogate
      {"\xf4\x90\x80\x80.yar", "not valid UTF-8"},  // past U+10FFFF
      {"\xe4\xb8.yar", "not valid UTF-8"},          // truncated sequence
  };
  for (const auto& entry : bad) {
    const std::string& name = entry.first;  // clang-14: CAPTURE cannot take a structured binding
    CAPTURE(name);
    checkRejected(checkBundleShape(oneFile(name)), ErrorCode::kInvalidArgument, entry.second);
    checkRejected(parseBundle(oneFile(name).SerializeAsString()).status(),
                  ErrorCode::kInvalidArgument, "");
  }
  CHECK(checkBundleShape(oneFile(std::string(kMaxRuleFileName - 4, 'a') + ".yar")).isOk());
}

TEST_CASE("errors name the file, printable even when the name is not") {
  auto st = checkBundleShape(oneFile("x\x01\xff\"y.yar"));
  CHECK(st.message().find(R"("x\x01\xff\x22y.yar")") != std::string::npos);
  auto dup = checkBundleShape(bundleOf({{"a.yar", ""}, {"b.yar", ""}, {"a.yar", ""}}));
  checkRejected(dup, ErrorCode::kInvalidArgument, "\"a.yar\": appears twice");
}

TEST_CASE("caps on the number of files, a file's size and the whole bundle") {
  v1::SignatureBundle many;
  for (uint32_t i = 0; i <= kMaxBundleFiles; ++i) {
    many.add_files()->set_name("r" + std::to_string(i) + ".yar");
  }
  checkRejected(checkBundleShape(many), ErrorCode::kTooLarge, "more than 10000");
  many.mutable_files()->RemoveLast();
  CHECK(checkBundleShape(many).isOk());

  const std::string huge(kMaxRuleFileBytes + 1, 'a');
  checkRejected(checkBundleShape(oneFile("dir/huge.yar", huge)), ErrorCode::kTooLarge,
                "\"dir/huge.yar\" is larger than");

  const std::string full(kMaxRuleFileBytes, 'a');
  v1::SignatureBundle total;
  for (uint64_t i = 0; i * kMaxRuleFileBytes <= kMaxBundleBytes; ++i) {
    auto* f = total.add_files();
    f->set_name("f" + std::to_string(i) + ".yar");
    f->set_content(full);
  }
  checkRejected(checkBundleShape(total), ErrorCode::kTooLarge, "bundle is larger than");
}

TEST_CASE("empty bundles, NUL bytes in rule text and bad descriptions are refused") {
  checkRejected(checkBundleShape(v1::SignatureBundle()), ErrorCode::kInvalidArgument,
                "no rule files");
  checkRejected(checkBundleShape(oneFile("a.yar", std::string("rule a {}\0rule b", 16))),
                ErrorCode::kInvalidArgument, "\"a.yar\": contains a NUL byte");
  auto b = oneFile("a.yar");
  b.set_description(std::string(5000, 'd'));
  checkRejected(checkBundleShape(b), ErrorCode::kInvalidArgument, "description");
  b.set_description("\xff");
  checkRejected(checkBundleShape(b), ErrorCode::kInvalidArgument, "description");
}

TEST_CASE("a directory becomes a bundle: recursive, sorted, rule files only") {
  TempDir dir;
  mkdirs(dir, "web/php");
  mkdirs(dir, ".git/objects");
  dir.write("b.yar", "rule b { condition: true }");
  dir.write("a.yara", "rule a { condition: true }");
  dir.write("web/php/eval.yar", "include \"../common.yar\"\nrule e { condition: c }");
  dir.write("web/common.yar", "");
  dir.write("web/README.md", "not a rule");
  dir.write(".git/objects/x.yar", "ignored: hidden");
  dir.write(".swp.yar", "ignored: hidden");
  auto b = bundleFromDirectory(dir.str());
  REQUIRE_MESSAGE(b.isOk(), b.status().toString());
  std::vector<std::string> names;
  for (const auto& f : b->files()) names.push_back(f.name());
  CHECK(names == std::vector<std::string>{"a.yara", "b.yar", "web/common.yar", "web/php/eval.yar"});
  CHECK(b->files(1).content() == "rule b { condition: true }");
  CHECK(b->version() == 0);

  const auto sources = sourcesOf(*b);
  REQUIRE(sources.size() == 4);
  CHECK(sources[3].name == "web/php/eval.yar");
  CHECK(sources[3].text == b->files(3).content());
}

TEST_CASE("symbolic links, special files and upper-case extensions are refused by name") {
  TempDir dir;
  dir.write("ok.yar", "");
  SUBCASE("a link to a file") {
    fs::create_symlink(dir.sub("ok.yar"), dir.sub("link.yar"));
    checkRejected(bundleFromDirectory(dir.str()).status(), ErrorCode::kInvalidArgument,
                  "\"link.yar\": is a symbolic link");
  }
  SUBCASE("a link to a directory, whatever it is called") {
    TempDir other;
    other.write("x.yar", "");
    fs::create_directory_symlink(other.str(), dir.sub("more"));
    checkRejected(bundleFromDirectory(dir.str()).status(), ErrorCode::kInvalidArgument,
                  "\"more\": is a symbolic link");
  }
  SUBCASE("a FIFO named like a rule file is not read (it would block)") {
    REQUIRE(::mkfifo(dir.sub("pipe.yar").c_str(), 0600) == 0);
    checkRejected(bundleFromDirectory(dir.str()).status(), ErrorCode::kInvalidArgument,
                  "\"pipe.yar\": is not a regular file");
  }
  SUBCASE("an upper-case extension") {
    dir.write("Rules.YAR", "");
    checkRejected(bundleFromDirectory(dir.str()).status(), ErrorCode::kInvalidArgument,
                  "lower-case");
  }
  SUBCASE("a name that is not UTF-8") {
    dir.write("bad\xff.yar", "");
    checkRejected(bundleFromDirectory(dir.str()).status(), ErrorCode::kInvalidArgument,
                  "\"bad\\xff.yar\": name is not valid UTF-8");
  }
}

TEST_CASE("bundleFromDirectory: missing, not a directory, empty, too large") {
  TempDir dir;
  checkRejected(bundleFromDirectory(dir.sub("nope")).status(), ErrorCode::kNotFound, "nope");
  checkRejected(bundleFromDirectory(dir.write("f.yar", "")).status(), ErrorCode::kInvalidArgument,
                "not a directory");
  mkdirs(dir, "empty");
  checkRejected(bundleFromDirectory(dir.sub("empty")).status(), ErrorCode::kInvalidArgument,
                "no rule files");
  mkdirs(dir, "big");
  fs::resize_file(dir.write("big/huge.yar", ""), kMaxRuleFileBytes + 1);
  checkRejected(bundleFromDirectory(dir.sub("big")).status(), ErrorCode::kTooLarge,
                "\"huge.yar\" is larger than");
}

TEST_CASE("an unreadable rule file is an I/O error naming it") {
  if (::geteuid() == 0) return;  // root reads mode-000 files
  TempDir dir;
  const std::string path = dir.write("secret.yar", "rule s { condition: true }");
  REQUIRE(::chmod(path.c_str(), 0) == 0);
  auto b = bundleFromDirectory(dir.str());
  REQUIRE_FALSE(b.isOk());
  CHECK(b.status().message().find("secret.yar") != std::string::npos);
}

TEST_CASE("a bundle read from a directory compiles, includes resolved inside the bundle") {
  TempDir dir;
  mkdirs(dir, "lib");
  dir.write("lib/common.yar", "rule common { strings: $a = \"marker\" condition: $a }");
  dir.write("main.yar", "include \"lib/common.yar\"\nrule main { condition: common }");
  auto b = bundleFromDirectory(dir.str());
  REQUIRE_MESSAGE(b.isOk(), b.status().toString());
  auto parsed = parseBundle(b->SerializeAsString());
  REQUIRE(parsed.isOk());
  auto rules = compileRules(sourcesOf(*parsed), nullptr);
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  CHECK(rules->ruleCount() == 2);
}

TEST_CASE("diagnostics go on the wire as valid UTF-8") {
  CompileDiagnostic d{"web/a.yar", 12, "syntax error, unexpected \xff near \"规则\"", true};
  v1::RuleDiagnostic p = toProto(d);
  CHECK(p.file() == "web/a.yar");
  CHECK(p.line() == 12);
  CHECK(p.warning());
  CHECK(p.message() == "syntax error, unexpected \\xff near \"规则\"");
  v1::RuleDiagnostic back;
  REQUIRE(back.ParseFromString(p.SerializeAsString()));
  CHECK(back.message() == p.message());
}

}  // namespace
}  // namespace xiaoan::sig
