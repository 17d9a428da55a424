#pragma once

#include <cstdint>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/basic_file_body.hpp>
#include <boost/beast/http/message.hpp>

namespace xiaoan::collector {

// A read-only file that starts at an offset: Beast's File concept over beast::file, where
// size() counts only the bytes from the offset on. With basic_file_body it streams the tail of
// a file for "Range: bytes=N-" answers without reading the file into memory.
class RangeFile {
 public:
  using error_code = boost::beast::error_code;
  using native_handle_type = boost::beast::file::native_handle_type;

  RangeFile() = default;

  // Opens `path` for reading, positioned at `offset` (EINVAL past the end).
  void openAt(const char* path, uint64_t offset, error_code& ec);
  // Size of the whole file, whatever the offset.
  uint64_t totalSize(error_code& ec) const { return file_.size(ec); }

  // The File concept.
  bool is_open() const { return file_.is_open(); }
  void close(error_code& ec) { file_.close(ec); }
  void open(const char* path, boost::beast::file_mode mode, error_code& ec);
  uint64_t size(error_code& ec) const;
  uint64_t pos(error_code& ec) const;
  void seek(uint64_t offset, error_code& ec) { file_.seek(offset_ + offset, ec); }
  size_t read(void* buffer, size_t n, error_code& ec) const { return file_.read(buffer, n, ec); }
  size_t write(const void* buffer, size_t n, error_code& ec) { return file_.write(buffer, n, ec); }

 private:
  boost::beast::file file_;
  uint64_t offset_ = 0;
};

// A response whose body is streamed from a file (artifacts).
using FileBody = boost::beast::http::basic_file_body<RangeFile>;
using FileResponse = boost::beast::http::response<FileBody>;

}  // namespace xiaoan::collector
