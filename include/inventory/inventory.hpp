// The live inventory: product id -> stock level, shared between the consumer
// thread (writes) and the console (reads), and the availability check.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "inventory/update.hpp"

namespace inventory {

// The four answers of the original's availability check.
enum class Availability { kAvailable, kInsufficientQuantity, kProductNotFound, kInvalidQuantity };
std::string_view to_string(Availability a);

struct StockEntry {
  std::int64_t quantity = 0;
  std::uint64_t version = 0;      // highest version applied; 0 = none seen
  std::int64_t updated_at_us = 0; // wall clock of the last applied update
};

struct CheckResult {
  Availability answer;
  std::optional<std::int64_t> in_stock;  // empty when the product is unknown
};

enum class ApplyOutcome { kApplied, kStale };

// Sharded so a query never waits behind more than one update of its shard.
class Inventory {
 public:
  Inventory() = default;
  Inventory(const Inventory&) = delete;
  Inventory& operator=(const Inventory&) = delete;

  // Versioned updates at or below the stored version are stale and not applied;
  // unversioned updates (and version 0, which means none) always apply, in
  // arrival order.
  // When applied and `result` is given, it receives the entry as it now stands.
  ApplyOutcome apply(const InventoryUpdate& update, std::int64_t now_us, StockEntry* result = nullptr);

  // Puts an entry back as it was (state restore); does not count as an update.
  void restore(std::string_view product_id, const StockEntry& entry);

  CheckResult check(std::string_view product_id, std::int64_t asked) const;
  std::optional<StockEntry> get(std::string_view product_id) const;

  struct Listing {
    std::vector<std::pair<std::string, StockEntry>> rows;  // sorted by id, at most `limit`
    std::size_t matching = 0;                              // all that match the prefix
  };
  Listing list(std::string_view prefix, std::size_t limit) const;

  // Ids starting with `prefix`, sorted, at most `limit` (tab completion).
  std::vector<std::string> ids_with_prefix(std::string_view prefix, std::size_t limit) const;

  // Visits every entry, one shard locked (shared) at a time.
  void for_each(const std::function<void(const std::string&, const StockEntry&)>& visit) const;

  std::size_t size() const;
  std::uint64_t applied_count() const { return applied_.load(std::memory_order_relaxed); }
  std::uint64_t stale_count() const { return stale_.load(std::memory_order_relaxed); }
  std::int64_t last_update_us() const { return last_update_us_.load(std::memory_order_relaxed); }

 private:
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, StockEntry, IdHash, std::equal_to<>>;
  struct alignas(64) Shard {
    mutable std::shared_mutex mutex;
    Map map;
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_for(std::string_view id) { return shards_[IdHash{}(id) % kShards]; }
  const Shard& shard_for(std::string_view id) const { return shards_[IdHash{}(id) % kShards]; }

  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::uint64_t> stale_{0};
  std::atomic<std::int64_t> last_update_us_{0};
};

std::int64_t now_us();

}  // namespace inventory
