#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/text/csv_line.h"  // csvLine, the writing side
#include "platform/result.h"

// RFC 4180 CSV records from UTF-8 text: ',' separates fields, '"' quotes a field ("" is a quote
// inside it), quoted fields may hold commas and line breaks, records end with CRLF or LF.
// Bounded: at most `max_records` records and `max_field_bytes` per field.
namespace xiaoan::collector {

struct CsvRecord {
  int line = 0;  // 1-based line where the record starts (as a spreadsheet shows it)
  std::vector<std::string> fields;
  bool field_too_long = false;  // some field was cut at max_field_bytes
};

struct CsvLimits {
  size_t max_records = 50'001;  // header + 50 000 rows
  size_t max_fields = 32;
  size_t max_field_bytes = 256;
};

// Blank lines are skipped. E_INVALID_ARGUMENT for a quote left open at the end (naming the line
// it opened on) or a character after a closing quote; E_TOO_LARGE over the record or field
// count limits.
Result<std::vector<CsvRecord>> readCsv(std::string_view text, const CsvLimits& limits);

}  // namespace xiaoan::collector
