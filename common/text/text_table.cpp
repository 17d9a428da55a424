#include "common/text/text_table.h"

#include <algorithm>

#include "common/text/text_width.h"

namespace xiaoan {
namespace {

constexpr size_t kGap = 2;  // spaces between columns

void appendLine(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
                std::string* out) {
  std::string line;
  for (size_t c = 0; c < cells.size(); ++c) {
    const bool last = c + 1 == cells.size();
    line += last ? cells[c] : padRight(cells[c], widths[c] + kGap);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  *out += line;
  *out += '\n';
}

}  // namespace

TextTable::TextTable(std::vector<std::string> headers) {
  for (auto& h : headers) headers_.push_back(sanitizeForTerminal(h));
}

void TextTable::addRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& cell : cells) cell = sanitizeForTerminal(cell);
  rows_.push_back(std::move(cells));
}

std::string TextTable::render() const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = displayWidth(headers_[c]);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], displayWidth(row[c]));
  }
  std::vector<std::string> rule(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) rule[c] = std::string(widths[c], '-');
  std::string out;
  appendLine(headers_, widths, &out);
  appendLine(rule, widths, &out);
  for (const auto& row : rows_) appendLine(row, widths, &out);
  return out;
}

}  // namespace xiaoan
