#include "common/naming/naming_rule.h"

#include <algorithm>
#include <optional>

#include "common/naming/pinyin.h"
#include "common/text/tr.h"
#include "common/text/utf8.h"

namespace xiaoan::naming {
namespace {

bool isAsciiNameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// The two forms of a name being rendered.
struct Forms {
  std::string written;  // as written: ASCII name characters and non-ASCII text
  std::string ascii;    // romanised, lower case
  bool romanizable = true;
  std::string missing;  // first placeholder without a value
};

// Written form: drops ASCII characters a hostname cannot hold (spaces, '_', '.', …).
void addWritten(Forms& f, std::string_view text) {
  for (char c : text) {
    if (isAsciiNameChar(c) || static_cast<unsigned char>(c) >= 0x80) f.written.push_back(c);
  }
}

// ASCII form of text that is not a person's name: ASCII name characters kept (lower case),
// each run of non-ASCII text romanised as a whole (so place names read as words).
void addAscii(Forms& f, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      if (isAsciiNameChar(text[i])) f.ascii.push_back(lower(text[i]));
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80) ++end;
    PinyinText p = romanize(text.substr(i, end - i));
    f.romanizable = f.romanizable && p.complete;
    f.ascii += joinPinyin(p);
    i = end;
  }
}

// Collapses runs of '-' and trims them from both ends.
std::string tidy(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '-' && (out.empty() || out.back() == '-')) continue;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

void addPart(Forms& f, const TemplatePart& part, const NamingValues& v) {
  if (!part.placeholder) {
    addWritten(f, part.literal);
    addAscii(f, part.literal);
    return;
  }
  const Placeholder p = *part.placeholder;
  const std::string* text = p == Placeholder::kSchoolAbbr ? &v.school_abbr
                            : p == Placeholder::kRoom     ? &v.room
                            : p == Placeholder::kSeat     ? nullptr
                                                          : &v.owner;
  if ((text != nullptr && text->empty()) || (text == nullptr && v.seat == 0)) {
    if (f.missing.empty()) f.missing = std::string(placeholderName(p));
    return;
  }
  if (p == Placeholder::kSeat) {
    std::string digits = std::to_string(v.seat);
    if (digits.size() < part.seat_width) digits.insert(0, part.seat_width - digits.size(), '0');
    f.written += digits;
    f.ascii += digits;
  } else if (p == Placeholder::kOwner || p == Placeholder::kOwnerPinyin ||
             p == Placeholder::kOwnerInitials) {
    PinyinText name = romanizePersonName(*text);
    f.romanizable = f.romanizable && name.complete;
    std::string ascii = p == Placeholder::kOwnerInitials ? pinyinInitials(name) : joinPinyin(name);
    if (p == Placeholder::kOwner) {
      addWritten(f, *text);
    } else {
      f.written += ascii;
    }
    f.ascii += ascii;
  } else {
    addWritten(f, *text);
    addAscii(f, *text);
  }
}

bool digitsOnly(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void checkWindows(NameAttempt& a, const TextCodec& codec) {
  if (digitsOnly(a.name)) {
    a.problem = NameProblem::kDigitsOnly;
  } else if (a.name.size() > kDnsLabelMaxBytes) {
    a.problem = NameProblem::kTooLongDns;
    a.bytes = a.name.size();
  } else if (auto gbk = codec.fromUtf8(a.name, Charset::kGbk); !gbk.isOk()) {
    a.problem = NameProblem::kNotGbk;
  } else if (gbk->size() > kNetbiosMaxBytes) {
    a.problem = NameProblem::kTooLongNetbios;
    a.bytes = gbk->size();
  }
}

}  // namespace

NamingValues valuesOf(const v1::NamingPolicy& n) {
  return {n.school_abbr(), n.owner(), n.room(), n.seat()};
}

NameAttempt renderTemplate(const NameTemplate& t, const NamingValues& values, HostOs os,
                           const TextCodec& codec) {
  Forms f;
  for (const auto& part : t.parts) addPart(f, part, values);
  NameAttempt a;
  if (!f.missing.empty()) {
    a.problem = NameProblem::kMissingValue;
    a.detail = f.missing;
    return a;
  }
  if (os == HostOs::kLinux) {
    a.name = tidy(f.ascii);
    if (!f.romanizable) {
      a.problem = NameProblem::kNotRomanizable;
    } else if (a.name.empty()) {
      a.problem = NameProblem::kEmpty;
    } else if (a.name.size() > kLinuxHostnameMaxBytes) {
      a.problem = NameProblem::kTooLongLinux;
      a.bytes = a.name.size();
    }
    a.pretty = tidy(f.written);
    return a;
  }
  a.name = tidy(f.written);
  a.pretty = a.name;
  if (a.name.empty()) {
    a.problem = NameProblem::kEmpty;
  } else {
    checkWindows(a, codec);
  }
  return a;
}

HostnameDecision decideHostname(const v1::NamingPolicy& naming, HostOs os, const TextCodec& codec) {
  HostnameDecision d;
  const NamingValues values = valuesOf(naming);
  struct Candidate {
    NameSource source;
    bool has;
    const std::string* text;
  };
  for (const Candidate& c :
       {Candidate{NameSource::kFixedHostname, naming.has_hostname(), &naming.hostname()},
        Candidate{NameSource::kPattern, naming.has_pattern(), &naming.pattern()},
        Candidate{NameSource::kFallback, naming.has_fallback(), &naming.fallback()}}) {
    if (!c.has) continue;
    NameAttempt a;
    if (c.source == NameSource::kFixedHostname) {
      // A fixed hostname is ASCII already (policy validation); it is its own template.
      a = renderTemplate(NameTemplate{{TemplatePart{std::nullopt, *c.text, 0}}}, values, os, codec);
    } else if (auto t = parseTemplate(*c.text); t.isOk()) {
      a = renderTemplate(*t, values, os, codec);
    } else {
      a.problem = NameProblem::kBadTemplate;
      a.detail = t.status().message();
    }
    a.source = c.source;
    a.rule = *c.text;
    if (a.problem == NameProblem::kNone) {
      d.usable = true;
      d.source = c.source;
      d.hostname = a.name;
      d.pretty = a.pretty;
      return d;
    }
    d.passed_over.push_back(std::move(a));
  }
  return d;
}

bool sameHostname(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace xiaoan::naming
