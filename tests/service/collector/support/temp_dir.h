#pragma once

#include "tests/support/temp_dir.h"

namespace xiaoan::collector::testing {

using xiaoan::testing::TempDir;

}  // namespace xiaoan::collector::testing
