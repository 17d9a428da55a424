#include "agent/spool/record_frame.h"

#include <doctest/doctest.h>

#include <string>

#include "xiaoan/v1/event.pb.h"

namespace xiaoan::agent {
namespace {

std::string frameFor(const v1::Event& event) {
  std::string frame(kFrameHeaderBytes, '\0');
  frame += event.SerializeAsString();
  sealFrame(frame);
  return frame;
}

v1::Event sampleEvent() {
  v1::Event e;
  e.set_stream("activity");
  e.set_epoch(0x1122334455667788ull);
  e.set_seq(300);
  e.set_priority(v1::PRIORITY_ACTIVITY);
  e.mutable_diagnostic()->set_text("hello");
  return e;
}

TEST_CASE("frame round trip: header, CRC and record key") {
  v1::Event e = sampleEvent();
  std::string frame = frameFor(e);
  REQUIRE(frame.size() == kFrameHeaderBytes + e.ByteSizeLong());
  CHECK(frame.compare(0, 4, std::string(kFrameMagic, 4)) == 0);
  auto len = framePayloadLength(frame.data());
  REQUIRE(len);
  CHECK(*len == e.ByteSizeLong());
  CHECK(frameCrcMatches(frame));

  auto key = peekRecordKey(std::string_view(frame).substr(kFrameHeaderBytes));
  REQUIRE(key);
  CHECK(key->stream == "activity");
  CHECK(key->epoch == 0x1122334455667788ull);
  CHECK(key->seq == 300);
  CHECK_FALSE(key->is_gap);

  v1::Event back;
  REQUIRE(back.ParseFromString(frame.substr(kFrameHeaderBytes)));
  CHECK(back.diagnostic().text() == "hello");
}

TEST_CASE("every flipped bit of a frame is detected") {
  std::string frame = frameFor(sampleEvent());
  for (size_t i = 0; i < frame.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = frame;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto len = framePayloadLength(bad.data());
      bool accepted = len && *len == bad.size() - kFrameHeaderBytes && frameCrcMatches(bad);
      CHECK_MESSAGE(!accepted, "byte " << i << " bit " << bit);
    }
  }
}

TEST_CASE("gap payload is recognised without a full parse") {
  v1::Event e = sampleEvent();
  e.mutable_gap()->set_count(3);  // replaces the diagnostic payload (oneof)
  auto key = peekRecordKey(e.SerializeAsString());
  REQUIRE(key);
  CHECK(key->is_gap);
}

TEST_CASE("length 0 and lengths above the record cap are rejected") {
  std::string header(kFrameHeaderBytes, '\0');
  header.replace(0, 4, kFrameMagic, 4);
  CHECK_FALSE(framePayloadLength(header.data()));  // length 0
  uint32_t too_big = kMaxRecordBytes + 1;
  for (int i = 0; i < 4; ++i) header[4 + i] = static_cast<char>((too_big >> (8 * i)) & 0xff);
  CHECK_FALSE(framePayloadLength(header.data()));
  uint32_t max = kMaxRecordBytes;
  for (int i = 0; i < 4; ++i) header[4 + i] = static_cast<char>((max >> (8 * i)) & 0xff);
  CHECK(framePayloadLength(header.data()) == kMaxRecordBytes);
}

TEST_CASE("malformed or incomplete payloads give no record key") {
  std::string good = sampleEvent().SerializeAsString();
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto key = peekRecordKey(std::string_view(good).substr(0, cut));
    // A prefix can still be well-formed, but then it must be a consistent prefix.
    if (key) CHECK(key->seq == 300);
  }
  CHECK_FALSE(peekRecordKey(std::string("\x0b\x01", 2)));  // group wire type
  CHECK_FALSE(
      peekRecordKey(std::string("\x0a\x7f"
                                "ab",
                                4)));                      // length past the end
  CHECK_FALSE(peekRecordKey(std::string("\x18\x05", 2)));  // seq only: no stream/epoch
  v1::Event no_epoch = sampleEvent();
  no_epoch.set_epoch(0);
  CHECK_FALSE(peekRecordKey(no_epoch.SerializeAsString()));
}

}  // namespace
}  // namespace xiaoan::agent
