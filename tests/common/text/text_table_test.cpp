#include "common/text/text_table.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

TEST_CASE("columns align by display width with CJK cells") {
  TextTable t({"学校 ID", "名称", "简称"});
  t.addRow({"xmsyxx", "厦门实验小学", "XMSY"});
  t.addRow({"tongan-no1", "同安一中", ""});
  const std::string want =
      "学校 ID     名称          简称\n"
      "----------  ------------  ----\n"
      "xmsyxx      厦门实验小学  XMSY\n"
      "tongan-no1  同安一中\n";
  CHECK(t.render() == want);
  CHECK(t.rowCount() == 2);
}

TEST_CASE("rows are normalised to the header count and sanitized") {
  TextTable t({"a", "b"});
  t.addRow({"1"});
  t.addRow({"2", "x\x1b]0;pwn\x07", "dropped"});
  const std::string want =
      "a  b\n"
      "-  ---------\n"
      "1\n"
      "2  x\xEF\xBF\xBD]0;pwn\xEF\xBF\xBD\n";
  CHECK(t.render() == want);
}

TEST_CASE("an empty table still renders its header") {
  TextTable t({"ID", "名称"});
  CHECK(t.render() == "ID  名称\n--  ----\n");
}

}  // namespace
}  // namespace xiaoan
