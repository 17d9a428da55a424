#include "common/naming/pinyin.h"

#include <doctest/doctest.h>

#include <string>

using namespace xiaoan::naming;

namespace {
std::string personPinyin(const char* name) { return joinPinyin(romanizePersonName(name)); }
}  // namespace

TEST_CASE("pinyin: the generated Unihan table, toneless, ü as v") {
  CHECK(syllableOf(U'李') == "li");
  CHECK(syllableOf(U'维') == "wei");
  CHECK(syllableOf(U'吕') == "lv");
  CHECK(syllableOf(U'女') == "nv");
  CHECK(syllableOf(U'中') == "zhong");
  CHECK(syllableOf(U'A').empty());
  CHECK(syllableOf(U'\u3400') == "qiu");  // CJK extension A is in the table too
  CHECK(joinPinyin(romanize("沙中")) == "shazhong");
  CHECK(joinPinyin(romanize("机房1")) == "jifang1");
}

TEST_CASE("pinyin: polyphonic surnames read as surnames, only at the start") {
  CHECK(personPinyin("单田芳") == "shantianfang");
  CHECK(joinPinyin(romanize("单田芳")) == "dantianfang");  // not a person: the word reading
  CHECK(personPinyin("曾国藩") == "zengguofan");
  CHECK(personPinyin("解缙") == "xiejin");
  CHECK(personPinyin("仇英") == "qiuying");
  CHECK(personPinyin("区家麟") == "oujialin");
  CHECK(personPinyin("朴树") == "piaoshu");
  CHECK(personPinyin("查良镛") == "zhaliangyong");
  CHECK(personPinyin("尉迟恭") == "yuchigong");
  CHECK(personPinyin("乐嘉") == "yuejia");
  CHECK(personPinyin("覃晓") == "qinxiao");
  CHECK(personPinyin("盖聂") == "genie");
  CHECK(personPinyin("缪斯") == "miaosi");
  CHECK(personPinyin("翟志刚") == "zhaizhigang");
  CHECK(personPinyin("李曾") == "liceng");  // the surname rule applies to the first character
  CHECK(personPinyin("欧阳娜娜") == "ouyangnana");
}

TEST_CASE("pinyin: initials, mixed scripts and characters without a reading") {
  CHECK(pinyinInitials(romanizePersonName("李维")) == "lw");
  CHECK(pinyinInitials(romanizePersonName("尉迟恭")) == "ycg");
  auto mixed = romanizePersonName("David王");
  CHECK(joinPinyin(mixed) == "davidwang");
  CHECK(pinyinInitials(mixed) == "dw");
  auto dotted = romanizePersonName("买买提·艾力");
  CHECK(dotted.complete);
  CHECK(joinPinyin(dotted) == "maimaitiaili");
  CHECK(joinPinyin(romanize("厦门一中")) == "xiamenyizhong");  // place name, not 大厦's sha
  CHECK(joinPinyin(romanize("重庆八中")) == "chongqingbazhong");
  auto kana = romanizePersonName("さくら");
  CHECK_FALSE(kana.complete);
  CHECK_FALSE(romanize("\xe6\xb2").complete);
}
