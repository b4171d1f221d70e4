// libFuzzer target for the message contract: any bytes a broker could deliver go
// through parse_update. Beyond "no crash, no sanitizer report", it checks what the
// consumer relies on: an accepted update is valid, survives encode -> parse and
// says what a plain JSON parser reads at the top level; a rejected one says why.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "inventory/update.hpp"

namespace {

[[noreturn]] void violated(const char* invariant) {
  std::fprintf(stderr, "parse_update_fuzz: invariant violated: %s\n", invariant);
  __builtin_trap();
}

// The product id a DOM value names, as parse_update keys it; nullopt if none.
std::optional<std::string> id_of(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer() && value.get<std::int64_t>() == 0) return "0";  // -0
  return std::nullopt;
}

// parse_update reads the body with a SAX handler; nlohmann's DOM parser is the
// second opinion on what the top-level fields of an accepted body are.
void agree_with_dom(std::string_view body, const inventory::InventoryUpdate& update) {
  const auto dom = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (dom.is_discarded()) return;  // a number beyond a double (1e400): valid JSON the DOM cannot hold
  if (!dom.is_object()) violated("an accepted body is not an object");
  const auto id = dom.find("product_id");
  const auto quantity = dom.find("quantity");
  const auto version = dom.find("version");
  if (id == dom.end() || id_of(*id) != update.product_id) violated("product_id differs from the DOM's");
  if (quantity == dom.end() || !quantity->is_number_integer() || quantity->get<std::int64_t>() != update.quantity)
    violated("quantity differs from the DOM's");
  if ((version != dom.end()) != update.version.has_value()) violated("version present here but not in the DOM");
  if (version != dom.end() && (!version->is_number_integer() || version->get<std::uint64_t>() != *update.version))
    violated("version differs from the DOM's");
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
  agree_with_dom(body, update);

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
