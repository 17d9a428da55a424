#include <unistd.h>

#include "platform/process_info.h"

namespace xiaoan {

uint32_t currentProcessId() { return static_cast<uint32_t>(::getpid()); }

}  // namespace xiaoan
