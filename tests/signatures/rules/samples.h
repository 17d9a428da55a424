#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Samples for the default rule set, generated in memory (never written to disk, never real
// malware): the minimal bytes that exercise each rule, and near misses that must not match.
// Distinctive strings are assembled from pieces at run time (cat) so that this test binary does
// not carry them whole.

namespace xiaoan::sig::samples {

struct Sample {
  std::string label;            // what it is, for failure messages
  std::string data;             // the file's bytes
  std::string filename;         // base name the scanner passes as the `filename` external
  std::set<std::string> rules;  // exactly these rules must match; empty: a negative
};

std::vector<Sample> eicarAndWormSamples();
std::vector<Sample> ransomwareSamples();
std::vector<Sample> minerAndWebShellSamples();
std::vector<Sample> toolSamples();
std::vector<Sample> benignSamples();

// ---- byte builders (sample_bytes.cpp) ----

// Pieces joined at run time.
std::string cat(std::initializer_list<std::string_view> pieces);
// UTF-8 text re-encoded ("UTF-16LE", "GBK"); aborts the test on a conversion failure.
std::string encode(const char* charset, std::string_view utf8);
std::string utf16(std::string_view utf8);
// The EICAR standard test string (68 bytes).
std::string eicar();
// A Windows shortcut: ShellLinkHeader (4C 00 00 00 + LinkCLSID), a LinkInfo-style ANSI target
// path and COMMAND_LINE_ARGUMENTS as counted UTF-16LE.
std::string lnk(std::string_view target, std::string_view args);
// "MZ" DOS stub followed by `body`; an ELF header followed by `body`.
std::string pe(std::string_view body);
std::string elf(std::string_view body);
// A VS_VERSIONINFO String structure (wLength, wValueLength, wType, UTF-16LE key, NUL,
// padding to 32 bits, UTF-16LE value, NUL), placed 32-bit aligned after `before`.
std::string withVersionString(std::string before, std::string_view key, std::string_view value);

}  // namespace xiaoan::sig::samples
