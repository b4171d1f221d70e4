// The message contract (SPEC 2): one AMQP message body is one InventoryUpdate.
// Parsing, validation and encoding are pure code, shared by both programs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inventory {

inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr std::size_t kMaxProductIdBytes = 128;

// One stock level: `quantity` is the absolute level, not a delta. `product_id` is
// the canonical key: integer ids are kept as their decimal text, so 123 and "123"
// name the same product.
struct InventoryUpdate {
  std::string product_id;
  std::int64_t quantity = 0;
  std::optional<std::uint64_t> version;

  friend bool operator==(const InventoryUpdate&, const InventoryUpdate&) = default;
};

// Either an update or the reason the body is a poison message.
struct ParsedUpdate {
  std::optional<InventoryUpdate> update;
  std::string error;

  explicit operator bool() const { return update.has_value(); }
};

// Parses and validates one message body. Never throws.
ParsedUpdate parse_update(std::string_view body);

// Why `id` cannot be a product id (empty, too long, control character or
// whitespace, invalid UTF-8), or nullopt if it is fine.
std::optional<std::string> product_id_problem(std::string_view id);

// Digits only, no leading zero, fits int64: written as a JSON integer.
bool is_canonical_decimal(std::string_view id);

// Strict decimal for a stock level or an asked quantity: optional '-', digits,
// nothing else, within int64. nullopt otherwise.
std::optional<std::int64_t> parse_decimal_int64(std::string_view text);
std::optional<std::uint64_t> parse_decimal_uint64(std::string_view text);

// The JSON body for `update` (version included when set). Ids that are canonical
// decimals are written as integers so the original Python store can read them.
std::string encode_update(const InventoryUpdate& update);

// Publish-time version stamps: microseconds since the Unix epoch, strictly
// increasing within this process so two updates never share a version.
std::uint64_t next_version_stamp();

}  // namespace inventory
