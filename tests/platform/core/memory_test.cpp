// Sanity tests of the Linux memory regions and memory streams against the real kernel.
#include "platform/memory.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "tests/support/temp_dir.h"

namespace xiaoan {

TEST_CASE("allocatePages gives zeroed writable memory and moves ownership") {
  auto block = allocatePages(3 * 4096 + 1);
  REQUIRE_MESSAGE(block.isOk(), block.status().toString());
  REQUIRE(block->data() != nullptr);
  CHECK(block->size() == 3 * 4096 + 1);
  CHECK(
      std::all_of(block->data(), block->data() + block->size(), [](uint8_t b) { return b == 0; }));
  block->data()[block->size() - 1] = 0xab;

  MemoryRegion moved = std::move(*block);
  CHECK(block->empty());
  CHECK(block->size() == 0);
  CHECK(moved.data()[moved.size() - 1] == 0xab);
  MemoryRegion other;
  other = std::move(moved);
  CHECK(moved.empty());
  CHECK(other.size() == 3 * 4096 + 1);
  other.reset();
  CHECK(other.empty());

  auto none = allocatePages(0);
  REQUIRE(none.isOk());
  CHECK(none->empty());
  // More than the address space can hold fails cleanly.
  CHECK_FALSE(allocatePages(~size_t{0} - 4096).isOk());
}

TEST_CASE("mapFileReadOnly maps the bytes of a file") {
  testing::TempDir t;
  std::string content(10000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
  t.write("f", content);
  auto file = File::open(t.sub("f"));
  REQUIRE(file.isOk());
  auto map = mapFileReadOnly(*file, content.size());
  REQUIRE_MESSAGE(map.isOk(), map.status().toString());
  CHECK(map->size() == content.size());
  CHECK(std::string(reinterpret_cast<const char*>(map->data()), map->size()) == content);
  file->close();  // the mapping outlives the handle
  CHECK(map->data()[25] == 'z');

  auto empty = mapFileReadOnly(*file, 0);
  REQUIRE(empty.isOk());
  CHECK(empty->empty());
  // A handle opened for writing only cannot be mapped for reading.
  auto wo = File::open(t.sub("f"), OpenOptions::write(OpenCreate::kExisting));
  REQUIRE(wo.isOk());
  CHECK_FALSE(mapFileReadOnly(*wo, 10).isOk());
}

TEST_CASE("openMemoryStream reads the given bytes, and nothing for empty input") {
  const std::string bytes("rule a {\0condition: true }", 27);
  auto stream = openMemoryStream(bytes);
  REQUIRE_MESSAGE(stream.isOk(), stream.status().toString());
  std::string got(64, '\0');
  got.resize(std::fread(got.data(), 1, got.size(), stream->get()));
  CHECK(got == bytes);
  CHECK(std::fgetc(stream->get()) == EOF);

  auto empty = openMemoryStream({});
  REQUIRE_MESSAGE(empty.isOk(), empty.status().toString());
  CHECK(std::fgetc(empty->get()) == EOF);
  char buf[8];
  CHECK(std::fread(buf, 1, sizeof buf, empty->get()) == 0);
  CHECK(std::feof(empty->get()) != 0);
}

TEST_CASE("trimHeap can be called at any time") {
  auto big = std::make_unique<char[]>(8 << 20);
  big[0] = 1;
  big.reset();
  trimHeap();
  trimHeap();
}

}  // namespace xiaoan
