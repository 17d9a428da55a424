#pragma once

#include <cstddef>
#include <cstdint>

namespace xiaoan {

// CRC-32C (Castagnoli), as used by iSCSI/ext4; hardware-accelerated on x86-64 with SSE4.2.
uint32_t crc32c(const void* data, size_t len, uint32_t crc = 0);

}  // namespace xiaoan
