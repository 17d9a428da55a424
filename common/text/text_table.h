#pragma once

#include <string>
#include <vector>

namespace xiaoan {

// A plain-text table for terminals: a header row, a rule, then rows, with columns aligned
// by display width (CJK = 2 columns) and cells sanitized for the terminal.
//
//   学校 ID   名称          简称
//   -------   ----------    ----
//   xmsyxx    厦门实验小学  XMSY
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers);

  // Adds a row; missing trailing cells are empty, surplus cells are dropped.
  void addRow(std::vector<std::string> cells);
  size_t rowCount() const { return rows_.size(); }

  // Rendered table, every line ending in '\n', no trailing spaces.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace xiaoan
