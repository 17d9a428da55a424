// Writes the seed corpus of the signature-bundle fuzzer (committed under corpus/bundle; run
// again when the bundle format or the default rules change):
//   xiaoan_signatures_fuzz_seeds tests/fuzz/signatures/corpus/bundle signatures/rules
#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "signatures/bundle.h"

namespace {

using namespace xiaoan;

std::filesystem::path g_out;

void write(const std::string& name, const std::string& bytes) {
  std::ofstream(g_out / name, std::ios::binary) << bytes;
}

v1::SignatureBundle bundleOf(const std::vector<std::pair<std::string, std::string>>& files) {
  v1::SignatureBundle b;
  b.set_version(3);
  b.set_description("seed");
  for (const auto& [name, text] : files) {
    auto* f = b.add_files();
    f->set_name(name);
    f->set_content(text);
  }
  return b;
}

void seed(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files) {
  write(name, bundleOf(files).SerializeAsString());
}

void validSeeds() {
  seed("valid_small", {{"a.yar",
                        "rule a : t { meta: author = \"x\" strings: $s = \"stratum\" nocase "
                        "$h = { 4D 5A [0-4] 90 } $r = /ev[a-z]l\\(/ condition: "
                        "uint16(0) == 0x5A4D and filesize < 1MB and ($s or $h or #r > 1) }"}});
  seed("include_pair",
       {{"lib/common.yar", "rule common { condition: filesize > 0 }"},
        {"main.yar", "include \"lib/common.yar\"\nrule main { condition: common }"}});
  seed("externals", {{"x.yara",
                      "rule e { condition: filename matches /\\.exe$/ and "
                      "extension == \"exe\" and owner != \"\" }"}});
}

void invalidSeeds() {
  seed("syntax_error", {{"bad.yar", "rule bad {\n condition: $missing }"}});
  seed("include_cycle", {{"a.yar", "include \"b.yar\""}, {"b.yar", "include \"a.yar\""}});
  seed("include_missing", {{"a.yar", "include \"../../etc/passwd\"\nrule a { condition: true }"}});
  seed("dotdot_name", {{"../x.yar", "rule x { condition: true }"}});
  seed("duplicate_names", {{"a.yar", ""}, {"a.yar", ""}});
  seed("nul_in_rule", {{"a.yar", std::string("rule a { condition: true }\0rule b", 34)}});
  seed("empty_bundle", {});
  std::string truncated = bundleOf({{"a.yar", "rule a { condition: true }"}}).SerializeAsString();
  write("truncated", truncated.substr(0, truncated.size() / 2));
  write("garbage", "\x0a\xff\xff\xff\xff\x0f not a bundle");
  write("bad_utf8_name", std::string("\x1a\x09\x0a\x05\xff\xfe.yar\x12\x00", 11));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR RULES_DIR\n", argv[0]);
    return 2;
  }
  google::protobuf::SetLogHandler(nullptr);
  g_out = argv[1];
  std::filesystem::create_directories(g_out);
  validSeeds();
  invalidSeeds();
  auto rules = sig::bundleFromDirectory(argv[2]);
  if (!rules.isOk()) {
    std::fprintf(stderr, "%s\n", rules.status().toString().c_str());
    return 1;
  }
  write("default_rules", rules->SerializeAsString());
  return 0;
}
