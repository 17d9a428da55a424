#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/error_code.h"
#include "xiaoan/v1/admin_api.pb.h"

// The columns of the record searches (browsing visits, seat sessions, alerts) for the table
// and for CSV. Times are local ("2026-11-21 14:03:05", the admin's time zone: Asia/Shanghai
// in schools). CSV cells a person typed or a page chose (URL, title, user...) that start like
// a spreadsheet formula get a leading apostrophe, so Excel shows them instead of running them.
namespace xiaoan::admin {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class RecordColumns {
 public:
  // (zh, en) header of each column.
  using Header = std::vector<std::pair<std::string, std::string>>;
  RecordColumns(Header table, Header csv) : table_(std::move(table)), csv_(std::move(csv)) {}

  void addTableRow(std::vector<std::string> row) { table_rows_.push_back(std::move(row)); }
  void addCsvRow(std::vector<std::string> row) { csv_rows_.push_back(std::move(row)); }

  std::vector<std::string> tableHeader(Lang lang) const { return pick(table_, lang); }
  std::vector<std::string> csvHeader(Lang lang) const { return pick(csv_, lang); }
  const std::vector<std::vector<std::string>>& tableRows() const { return table_rows_; }
  const std::vector<std::vector<std::string>>& csvRows() const { return csv_rows_; }

 private:
  static std::vector<std::string> pick(const Header& h, Lang lang);
  Header table_;
  Header csv_;
  std::vector<std::vector<std::string>> table_rows_;
  std::vector<std::vector<std::string>> csv_rows_;
};

RecordColumns visitColumns(Lang lang, const v1::BrowsingVisitPage& page);
RecordColumns sessionColumns(Lang lang, const v1::SeatSessionPage& page);
RecordColumns alertColumns(Lang lang, const v1::SiteAlertPage& page);

// A CSV cell that Excel would take for a formula (=, +, -, @, tab, CR first) with a leading
// apostrophe; anything else unchanged.
std::string csvSafe(const std::string& cell);

// Display names.
std::string browserName(Lang lang, v1::BrowserKind browser);
std::string categoryName(Lang lang, v1::SiteCategory category);

}  // namespace xiaoan::admin
