#include "platform/command_runner.h"

#include <doctest/doctest.h>

#include <chrono>

namespace xiaoan {

using namespace std::chrono_literals;

TEST_CASE("a command's exit code, output, error output and input") {
  auto r = runCommand({"sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(r.isOk());
  CHECK(r->exit_code == 3);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
  CommandOptions o;
  o.stdin_data = std::string(200000, 'x');  // more than a pipe holds
  auto cat = runCommand({"cat"}, o);
  REQUIRE(cat.isOk());
  CHECK(cat->out.size() == 200000);
}

TEST_CASE("arguments reach the program as they are, without a shell") {
  auto r = runCommand({"printf", "%s|", "a b", "$HOME", ";ls"});
  REQUIRE(r.isOk());
  CHECK(r->out == "a b|$HOME|;ls|");
}

TEST_CASE("output is capped, a hung program is killed, a missing one is E_NOT_FOUND") {
  CommandOptions o;
  o.max_output = 10;
  auto big = runCommand({"sh", "-c", "yes | head -c 100000"}, o);
  REQUIRE(big.isOk());
  CHECK(big->out.size() == 10);
  const auto t0 = std::chrono::steady_clock::now();
  auto hung = runCommand({"sleep", "30"}, withTimeout(200ms));
  CHECK(hung.status().code() == ErrorCode::kTimeout);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK(runCommand({"xiaoan-no-such-tool"}).status().code() == ErrorCode::kNotFound);
  CHECK(runCommand({}).status().code() == ErrorCode::kInvalidArgument);
  CHECK(commandExists("sh"));
  CHECK_FALSE(commandExists("xiaoan-no-such-tool"));
}

}  // namespace xiaoan
