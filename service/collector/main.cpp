#include "service/collector/cli.h"

int main(int argc, char** argv) { return xiaoan::collector::runCollectorCli(argc, argv); }
