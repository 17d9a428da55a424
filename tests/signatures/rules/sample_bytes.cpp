#include <doctest/doctest.h>
#include <iconv.h>

#include <cerrno>
#include <cstdint>

#include "tests/signatures/rules/samples.h"

namespace xiaoan::sig::samples {
namespace {

void putU16(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}

void putU32(std::string& out, uint32_t v) {
  putU16(out, static_cast<uint16_t>(v & 0xFFFF));
  putU16(out, static_cast<uint16_t>(v >> 16));
}

}  // namespace

std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (std::string_view p : pieces) out.append(p);
  return out;
}

std::string encode(const char* charset, std::string_view utf8) {
  iconv_t cd = ::iconv_open(charset, "UTF-8");
  REQUIRE_MESSAGE(cd != reinterpret_cast<iconv_t>(-1), "iconv_open ", charset);
  std::string in(utf8), out(utf8.size() * 4 + 16, '\0');
  char* src = in.data();
  char* dst = out.data();
  size_t in_left = in.size(), out_left = out.size();
  const size_t rc = ::iconv(cd, &src, &in_left, &dst, &out_left);
  ::iconv_close(cd);
  REQUIRE_MESSAGE(rc != static_cast<size_t>(-1), "iconv to ", charset, " errno ", errno);
  out.resize(out.size() - out_left);
  return out;
}

std::string utf16(std::string_view utf8) { return encode("UTF-16LE", utf8); }

std::string eicar() {
  return cat({"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR", "-STANDARD-ANTIVIRUS-", "TEST-FILE!$H+H*"});
}

std::string lnk(std::string_view target, std::string_view args) {
  std::string out;
  putU32(out, 0x4C);  // HeaderSize
  out += std::string("\x01\x14\x02\x00\x00\x00\x00\x00\xC0\x00\x00\x00\x00\x00\x00\x46", 16);
  putU32(out, 0x000000A2);  // LinkFlags: HasLinkInfo | HasArguments | IsUnicode
  out.resize(0x4C, '\0');   // attributes, times, size, icon, show command, hotkey: zero
  out += target;            // LocalBasePath (LinkInfo), ANSI
  out += '\0';
  const std::string wide = utf16(args);
  putU16(out, static_cast<uint16_t>(wide.size() / 2));  // CountCharacters
  out += wide;
  putU32(out, 0);  // TerminalBlock
  return out;
}

std::string pe(std::string_view body) {
  std::string out = "MZ";
  out.resize(0x40, '\0');
  out += "This program cannot be run in DOS mode.\r\r\n$";
  out.resize(0x80, '\0');
  out += "PE";
  out.resize(0x200, '\0');
  out.append(body);
  return out;
}

std::string elf(std::string_view body) {
  std::string out(
      "\x7F"
      "ELF\x02\x01\x01",
      7);
  out.resize(0x40, '\0');
  out.append(body);
  return out;
}

std::string withVersionString(std::string before, std::string_view key, std::string_view value) {
  before.resize((before.size() + 3) & ~size_t{3}, '\0');
  std::string s;
  const std::string k = utf16(key) + std::string(2, '\0');
  const std::string v = utf16(value) + std::string(2, '\0');
  putU16(s, 0);  // wLength, set below
  putU16(s, static_cast<uint16_t>(v.size() / 2));
  putU16(s, 1);  // wType: text
  s += k;
  s.resize((s.size() + 3) & ~size_t{3}, '\0');
  s += v;
  s[0] = static_cast<char>(s.size() & 0xFF);
  s[1] = static_cast<char>(s.size() >> 8);
  return before + s;
}

}  // namespace xiaoan::sig::samples
