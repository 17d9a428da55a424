#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace xiaoan::collector::testing {

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/xiaoan-collector-test-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    path_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& data) const {
    std::ofstream(file(name), std::ios::binary) << data;
    return file(name);
  }

 private:
  std::string path_;
};

}  // namespace xiaoan::collector::testing
