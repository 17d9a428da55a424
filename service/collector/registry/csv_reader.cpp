#include "service/collector/registry/csv_reader.h"

namespace xiaoan::collector {
namespace {

// The state of one pass over the text.
class CsvScanner {
 public:
  CsvScanner(std::string_view text, const CsvLimits& limits) : text_(text), limits_(limits) {}

  Result<std::vector<CsvRecord>> run() {
    while (pos_ < text_.size()) {
      XIAOAN_RETURN_IF_ERROR(record());
    }
    return std::move(out_);
  }

 private:
  Status record() {
    CsvRecord rec;
    rec.line = line_;
    for (;;) {
      std::string field;
      XIAOAN_RETURN_IF_ERROR(readField(field, rec));
      if (rec.fields.size() >= limits_.max_fields) {
        return Status(ErrorCode::kTooLarge, "line " + std::to_string(rec.line) + " has more than " +
                                                std::to_string(limits_.max_fields) + " columns");
      }
      rec.fields.push_back(std::move(field));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      break;
    }
    endOfLine();
    bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (blank) return Status::ok();
    if (out_.size() >= limits_.max_records) {
      return Status(ErrorCode::kTooLarge,
                    "more than " + std::to_string(limits_.max_records - 1) + " rows");
    }
    out_.push_back(std::move(rec));
    return Status::ok();
  }

  void append(std::string& field, char c, CsvRecord& rec) {
    if (field.size() < limits_.max_field_bytes) {
      field.push_back(c);
    } else {
      rec.field_too_long = true;
    }
  }

  Status readField(std::string& field, CsvRecord& rec) {
    if (pos_ < text_.size() && text_[pos_] == '"') return readQuoted(field, rec);
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
           text_[pos_] != '\r') {
      append(field, text_[pos_++], rec);
    }
    return Status::ok();
  }

  Status readQuoted(std::string& field, CsvRecord& rec) {
    const int opened = line_;
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size()) {
        return Status(ErrorCode::kInvalidArgument,
                      "line " + std::to_string(opened) + ": quote opened and never closed");
      }
      char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          append(field, '"', rec);
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\n') ++line_;
      append(field, c, rec);
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      return Status(ErrorCode::kInvalidArgument,
                    "line " + std::to_string(line_) + ": text after a closing quote");
    }
    return Status::ok();
  }

  void endOfLine() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  std::string_view text_;
  const CsvLimits& limits_;
  size_t pos_ = 0;
  int line_ = 1;
  std::vector<CsvRecord> out_;
};

}  // namespace

Result<std::vector<CsvRecord>> readCsv(std::string_view text, const CsvLimits& limits) {
  return CsvScanner(text, limits).run();
}

}  // namespace xiaoan::collector
