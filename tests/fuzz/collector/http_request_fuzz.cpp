// The HTTP/1.1 request parser with the listener's limits, fed raw bytes as they would arrive
// from a socket (in slices): header cap, then the per-route body cap of the agent API.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>

#include "service/collector/agent_api/agent_api.h"
#include "service/collector/http/http_session.h"

namespace http = boost::beast::http;
using xiaoan::collector::RequestParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RequestParser parser;
  xiaoan::collector::prepareRequestParser(parser, xiaoan::collector::ListenerOptions{});
  boost::beast::error_code ec;
  size_t offset = 0;  // consumed by the parser
  size_t end = 0;     // arrived so far
  bool limited = false;
  while (!parser.is_done()) {
    if (end < size) end += std::min<size_t>(size - end, 1 + data[end] % 97);
    size_t used = parser.put(boost::asio::buffer(data + offset, end - offset), ec);
    offset += used;
    if (ec == http::error::need_more) ec = {};
    if (ec) break;
    if (parser.is_header_done() && !limited) {
      limited = true;
      auto limit =
          xiaoan::collector::agentBodyLimit(xiaoan::collector::toStd(parser.get().target()));
      auto length = parser.content_length();
      if (length && *length > limit) return 0;  // the session answers 413 here
      parser.body_limit(limit);
    }
    if (used == 0 && end == size) {
      // The peer closed the connection. As Beast's read does: end of stream before a single
      // byte is not a request at all; after some bytes the parser decides (body to EOF or not).
      if (parser.got_some()) parser.put_eof(ec);
      break;
    }
  }
  if (parser.is_done() && parser.get().body().size() > 4 * 1024 * 1024) __builtin_trap();
  return 0;
}
