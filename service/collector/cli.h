#pragma once

namespace xiaoan::collector {

// `xiaoan-collector init|serve ...`. Exit codes: 0 success, 1 failure, 2 usage error.
int runCollectorCli(int argc, char** argv);

}  // namespace xiaoan::collector
