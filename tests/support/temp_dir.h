#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace xiaoan::testing {

// A fresh directory under $TMPDIR (mkdtemp, mode 0700), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xiaoan-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  const std::string& str() const { return path_; }
  std::filesystem::path fsPath() const { return path_; }
  // The path of `name` inside the directory.
  std::string sub(const std::string& name) const { return path_ + "/" + name; }
  std::string file(const std::string& name) const { return sub(name); }
  // Writes `data` to `name` inside the directory and returns its path.
  std::string write(const std::string& name, const std::string& data) const {
    std::ofstream(sub(name), std::ios::binary) << data;
    return sub(name);
  }

 private:
  std::string path_;
};

}  // namespace xiaoan::testing
