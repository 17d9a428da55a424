#include "service/collector/http/range_file.h"

namespace xiaoan::collector {

void RangeFile::openAt(const char* path, uint64_t offset, error_code& ec) {
  file_.open(path, boost::beast::file_mode::scan, ec);
  if (ec) return;
  uint64_t total = file_.size(ec);
  if (ec) return;
  if (offset > total) {
    ec = make_error_code(boost::system::errc::invalid_argument);
    return;
  }
  offset_ = offset;
  file_.seek(offset, ec);
}

void RangeFile::open(const char* path, boost::beast::file_mode mode, error_code& ec) {
  offset_ = 0;
  file_.open(path, mode, ec);
}

uint64_t RangeFile::size(error_code& ec) const {
  uint64_t total = file_.size(ec);
  return total > offset_ ? total - offset_ : 0;
}

uint64_t RangeFile::pos(error_code& ec) const {
  uint64_t p = file_.pos(ec);
  return p > offset_ ? p - offset_ : 0;
}

}  // namespace xiaoan::collector
