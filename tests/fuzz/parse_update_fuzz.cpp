// libFuzzer target for the message contract: any bytes a broker could deliver go
// through parse_update. Beyond "no crash, no sanitizer report", it checks what the
// consumer relies on: an accepted update is valid and survives encode -> parse,
// a rejected one says why.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "inventory/update.hpp"

namespace {

[[noreturn]] void violated(const char* invariant) {
  std::fprintf(stderr, "parse_update_fuzz: invariant violated: %s\n", invariant);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const inventory::ParsedUpdate parsed = inventory::parse_update(body);

  if (!parsed) {
    if (parsed.error.empty()) violated("a rejected body has an empty error");
    return 0;
  }
  if (!parsed.error.empty()) violated("an accepted body also has an error");

  const inventory::InventoryUpdate& update = *parsed.update;
  if (inventory::product_id_problem(update.product_id)) violated("an accepted product_id has a problem");
  if (update.quantity < 0) violated("an accepted quantity is negative");

  const std::string encoded = inventory::encode_update(update);
  const inventory::ParsedUpdate again = inventory::parse_update(encoded);
  if (!again) {
    std::fprintf(stderr, "re-parsing %s failed: %s\n", encoded.c_str(), again.error.c_str());
    violated("encode_update's output does not parse");
  }
  if (!(*again.update == update)) {
    std::fprintf(stderr, "re-parsing %s gave another update\n", encoded.c_str());
    violated("parse(encode(u)) != u");
  }
  if (inventory::encode_update(*again.update) != encoded) violated("encode_update is not stable");
  return 0;
}
