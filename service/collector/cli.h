#pragma once

#include "platform/error_code.h"

namespace xiaoan::collector {

// `xiaoan-collector init|serve|keys import|backup|restore|check ...`. Messages in `env_lang`
// (from the locale) unless `--lang` says otherwise. Exit codes: 0 success, 1 failure, 2 usage
// error.
int runCollectorCli(int argc, char** argv, Lang env_lang);

}  // namespace xiaoan::collector
