#include "service/collector/http_types.h"

#include <mutex>
#include <random>

namespace xiaoan::collector {

struct Responder::State {
  explicit State(Sink s) : sink(std::move(s)) {}
  ~State() {
    if (!done.exchange(true)) {
      sink(makeResponse(http::status::internal_server_error, "text/plain",
                        "E_INTERNAL: request was dropped"));
    }
  }
  Sink sink;
  std::atomic<bool> done{false};
};

Responder::Responder(Sink sink) : state_(std::make_shared<State>(std::move(sink))) {}

void Responder::operator()(HttpResponse response) const {
  if (!state_->done.exchange(true)) state_->sink(std::move(response));
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
