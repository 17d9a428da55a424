// xiaoan-collector: the central service and its data-dir commands. Composition root only.
#include <cstdlib>
#include <map>
#include <string>

#include "common/cli/cli_args.h"
#include "service/collector/cli.h"

int main(int argc, char** argv) {
  std::map<std::string, std::string> env;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  return xiaoan::collector::runCollectorCli(argc, argv, xiaoan::langFromLocaleEnv(env));
}
