#include "inventory/inventory.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

namespace inventory {

std::string_view to_string(Availability a) {
  switch (a) {
    case Availability::kAvailable: return "AVAILABLE";
    case Availability::kInsufficientQuantity: return "INSUFFICIENT_QUANTITY";
    case Availability::kProductNotFound: return "PRODUCT_NOT_FOUND";
    case Availability::kInvalidQuantity: return "INVALID_QUANTITY";
  }
  return "UNKNOWN";
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ApplyOutcome Inventory::apply(const InventoryUpdate& update, std::int64_t at_us, StockEntry* result) {
  Shard& shard = shard_for(update.product_id);
  {
    std::unique_lock lock(shard.mutex);
    auto it = shard.map.find(std::string_view(update.product_id));
    if (it == shard.map.end()) {
      it = shard.map.emplace(update.product_id, StockEntry{}).first;
    } else if (update.version && *update.version != 0 && *update.version <= it->second.version) {
      lock.unlock();
      stale_.fetch_add(1, std::memory_order_relaxed);
      return ApplyOutcome::kStale;
    }
    StockEntry& entry = it->second;
    entry.quantity = update.quantity;
    if (update.version && *update.version != 0) entry.version = *update.version;
    entry.updated_at_us = at_us;
    if (result) *result = entry;
  }
  applied_.fetch_add(1, std::memory_order_relaxed);
  last_update_us_.store(at_us, std::memory_order_relaxed);
  return ApplyOutcome::kApplied;
}

void Inventory::restore(std::string_view product_id, const StockEntry& entry) {
  Shard& shard = shard_for(product_id);
  std::unique_lock lock(shard.mutex);
  auto it = shard.map.find(product_id);
  if (it == shard.map.end()) {
    shard.map.emplace(std::string(product_id), entry);
  } else {
    it->second = entry;
  }
  std::int64_t last = last_update_us_.load(std::memory_order_relaxed);
  if (entry.updated_at_us > last) last_update_us_.store(entry.updated_at_us, std::memory_order_relaxed);
}

CheckResult Inventory::check(std::string_view product_id, std::int64_t asked) const {
  const auto entry = get(product_id);
  const std::optional<std::int64_t> stock =
      entry ? std::optional<std::int64_t>(entry->quantity) : std::nullopt;
  if (asked <= 0) return {Availability::kInvalidQuantity, stock};
  if (!stock) return {Availability::kProductNotFound, std::nullopt};
  return {*stock >= asked ? Availability::kAvailable : Availability::kInsufficientQuantity, stock};
}

std::optional<StockEntry> Inventory::get(std::string_view product_id) const {
  const Shard& shard = shard_for(product_id);
  std::shared_lock lock(shard.mutex);
  auto it = shard.map.find(product_id);
  if (it == shard.map.end()) return std::nullopt;
  return it->second;
}

Inventory::Listing Inventory::list(std::string_view prefix, std::size_t limit) const {
  // Keeps only the `limit` smallest ids seen so far (a max-heap), so listing or
  // completing among a million products copies a handful of entries, not all.
  Listing out;
  const auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [id, entry] : shard.map) {
      if (std::string_view(id).substr(0, prefix.size()) != prefix) continue;
      ++out.matching;
      if (limit == 0) continue;
      if (out.rows.size() == limit) {
        if (!(id < out.rows.front().first)) continue;
        std::pop_heap(out.rows.begin(), out.rows.end(), by_id);
        out.rows.back() = {id, entry};
      } else {
        out.rows.emplace_back(id, entry);
      }
      std::push_heap(out.rows.begin(), out.rows.end(), by_id);
    }
  }
  std::sort_heap(out.rows.begin(), out.rows.end(), by_id);
  return out;
}

std::vector<std::string> Inventory::ids_with_prefix(std::string_view prefix, std::size_t limit) const {
  auto listing = list(prefix, limit);
  std::vector<std::string> ids;
  ids.reserve(listing.rows.size());
  for (auto& row : listing.rows) ids.push_back(std::move(row.first));
  return ids;
}

void Inventory::for_each(const std::function<void(const std::string&, const StockEntry&)>& visit) const {
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [id, entry] : shard.map) visit(id, entry);
  }
}

std::size_t Inventory::size() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    n += shard.map.size();
  }
  return n;
}

}  // namespace inventory
