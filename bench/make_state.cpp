// make_state: writes a store state directory holding N products, as a store that
// had applied N updates would leave it (a snapshot, an empty journal), so the
// bench can start store_service on a large inventory without a broker.
//
//   make_state STATE_ROOT QUEUE N     ->  STATE_ROOT/<queue>/{snapshot,journal,lock}
//
// Product ids are "sku-" + 7 digits (sku-0000000 ...), quantity i % 1000.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include "inventory/inventory.hpp"
#include "inventory/state.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_state STATE_ROOT QUEUE N\n");
    return 2;
  }
  std::uint64_t n = 0;
  const std::string count = argv[3];
  if (std::from_chars(count.data(), count.data() + count.size(), n).ec != std::errc{}) {
    std::fprintf(stderr, "make_state: N must be a whole number, not '%s'\n", argv[3]);
    return 2;
  }
  try {
    const auto dir = inventory::state_dir_for_queue(argv[1], argv[2]);
    inventory::Inventory inventory;
    inventory::StateStore::LoadReport report;
    inventory::StateStore store(dir, inventory, report);  // takes the lock, loads what is already there
    if (report.products != 0) {
      std::fprintf(stderr, "make_state: %s already holds %zu products; give an empty directory\n", dir.c_str(),
                   report.products);
      return 1;
    }
    const std::int64_t now = inventory::now_us();
    char id[32];
    for (std::uint64_t i = 0; i < n; ++i) {
      const int len = std::snprintf(id, sizeof id, "sku-%07llu", static_cast<unsigned long long>(i));
      const std::string_view product(id, static_cast<std::size_t>(len));
      const inventory::StockEntry entry{static_cast<std::int64_t>(i % 1000), i + 1, now};
      inventory.restore(product, entry);
      store.append(product, entry);  // journaled like applied updates, so compact() has work to do
    }
    store.compact(inventory);
    std::printf("wrote %zu products to %s\n", inventory.size(), dir.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_state: %s\n", e.what());
    return 1;
  }
}
