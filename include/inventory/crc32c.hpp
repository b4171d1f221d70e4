// CRC-32C (Castagnoli), the checksum on every journal and snapshot record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace inventory {

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

}  // namespace inventory
