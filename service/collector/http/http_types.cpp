#include "service/collector/http/http_types.h"

#include <mutex>
#include <random>

namespace xiaoan::collector {

struct Responder::State {
  State(Sink s, FileSink f) : sink(std::move(s)), file_sink(std::move(f)) {}
  ~State() {
    if (!done.exchange(true)) {
      sink(makeResponse(http::status::internal_server_error, "text/plain",
                        "E_INTERNAL: request was dropped"));
    }
  }
  Sink sink;
  FileSink file_sink;
  std::atomic<bool> done{false};
};

Responder::Responder(Sink sink, FileSink file_sink)
    : state_(std::make_shared<State>(std::move(sink), std::move(file_sink))) {}

void Responder::operator()(HttpResponse response) const {
  if (!state_->done.exchange(true)) state_->sink(std::move(response));
}

void Responder::operator()(FileResponse response) const {
  if (state_->done.exchange(true)) return;
  if (state_->file_sink) return state_->file_sink(std::move(response));
  state_->sink(makeResponse(http::status::internal_server_error, "text/plain",
                            "E_INTERNAL: file answers are not supported here"));
}

HttpResponse makeResponse(http::status status, const std::string& content_type, std::string body) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

uint32_t jitteredRetryAfter(uint32_t min_seconds, uint32_t max_seconds) {
  static std::mutex mu;
  static std::minstd_rand rng(std::random_device{}());
  if (max_seconds <= min_seconds) return min_seconds;
  std::lock_guard lock(mu);
  return std::uniform_int_distribution<uint32_t>(min_seconds, max_seconds)(rng);
}

}  // namespace xiaoan::collector
