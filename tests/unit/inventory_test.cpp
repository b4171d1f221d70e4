// The live map (SPEC 1, 5, 7): the four answers, versions and staleness,
// listing, counters, restore, and concurrent readers against one writer.
#include "inventory/inventory.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace inventory {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // an arbitrary wall-clock time in us

InventoryUpdate update(std::string id, std::int64_t quantity, std::optional<std::uint64_t> version = std::nullopt) {
  return InventoryUpdate{std::move(id), quantity, version};
}

// ---- the four answers -------------------------------------------------------------

TEST(InventoryCheck, AnswerNamesMatchTheOriginal) {
  EXPECT_EQ(to_string(Availability::kAvailable), "AVAILABLE");
  EXPECT_EQ(to_string(Availability::kInsufficientQuantity), "INSUFFICIENT_QUANTITY");
  EXPECT_EQ(to_string(Availability::kProductNotFound), "PRODUCT_NOT_FOUND");
  EXPECT_EQ(to_string(Availability::kInvalidQuantity), "INVALID_QUANTITY");
}

TEST(InventoryCheck, AvailableWhenStockExceedsAsked) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  const CheckResult r = inv.check("a", 3);
  EXPECT_EQ(r.answer, Availability::kAvailable);
  EXPECT_EQ(r.in_stock, std::optional<std::int64_t>(10));
}

TEST(InventoryCheck, AvailableWhenStockEqualsAsked) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  EXPECT_EQ(inv.check("a", 10).answer, Availability::kAvailable);
}

TEST(InventoryCheck, InsufficientWhenAskedIsOneMoreThanStock) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  const CheckResult r = inv.check("a", 11);
  EXPECT_EQ(r.answer, Availability::kInsufficientQuantity);
  EXPECT_EQ(r.in_stock, std::optional<std::int64_t>(10));
}

TEST(InventoryCheck, ZeroStockIsInsufficientNotNotFound) {
  Inventory inv;
  inv.apply(update("a", 0), kT0);
  const CheckResult r = inv.check("a", 1);
  EXPECT_EQ(r.answer, Availability::kInsufficientQuantity);
  EXPECT_EQ(r.in_stock, std::optional<std::int64_t>(0));
}

TEST(InventoryCheck, UnknownProductIsNotFound) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  const CheckResult r = inv.check("b", 1);
  EXPECT_EQ(r.answer, Availability::kProductNotFound);
  EXPECT_EQ(r.in_stock, std::nullopt);
}

TEST(InventoryCheck, AskedZeroIsInvalidQuantity) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  const CheckResult r = inv.check("a", 0);
  EXPECT_EQ(r.answer, Availability::kInvalidQuantity);
  EXPECT_EQ(r.in_stock, std::optional<std::int64_t>(10));  // the stock is still reported
}

TEST(InventoryCheck, NegativeAskedIsInvalidQuantity) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  EXPECT_EQ(inv.check("a", -1).answer, Availability::kInvalidQuantity);
  EXPECT_EQ(inv.check("a", std::numeric_limits<std::int64_t>::min()).answer, Availability::kInvalidQuantity);
}

TEST(InventoryCheck, InvalidQuantityIsJudgedBeforeTheProductIsLookedFor) {
  Inventory inv;
  const CheckResult r = inv.check("unknown", 0);
  EXPECT_EQ(r.answer, Availability::kInvalidQuantity);
  EXPECT_EQ(r.in_stock, std::nullopt);
  EXPECT_EQ(inv.check("unknown", -5).answer, Availability::kInvalidQuantity);
}

TEST(InventoryCheck, ExtremeQuantities) {
  Inventory inv;
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  inv.apply(update("a", kMax), kT0);
  EXPECT_EQ(inv.check("a", kMax).answer, Availability::kAvailable);
  inv.apply(update("b", kMax - 1), kT0);
  EXPECT_EQ(inv.check("b", kMax).answer, Availability::kInsufficientQuantity);
}

TEST(InventoryCheck, IdsAreExactNotNormalised) {
  Inventory inv;
  inv.apply(update("123", 5), kT0);
  EXPECT_EQ(inv.check("123", 1).answer, Availability::kAvailable);
  EXPECT_EQ(inv.check("0123", 1).answer, Availability::kProductNotFound);
  EXPECT_EQ(inv.check("SKU", 1).answer, Availability::kProductNotFound);
  inv.apply(update("sku", 5), kT0);
  EXPECT_EQ(inv.check("SKU", 1).answer, Availability::kProductNotFound);
}

// ---- apply: the quantity is absolute --------------------------------------------------

TEST(InventoryApply, UpdateSetsTheLevelItDoesNotAdd) {
  Inventory inv;
  inv.apply(update("a", 10), kT0);
  inv.apply(update("a", 3), kT0 + 1);
  EXPECT_EQ(inv.get("a")->quantity, 3);
}

TEST(InventoryApply, ResultReceivesTheEntryAsItNowStands) {
  Inventory inv;
  StockEntry result;
  EXPECT_EQ(inv.apply(update("a", 7, 42), kT0 + 5, &result), ApplyOutcome::kApplied);
  EXPECT_EQ(result.quantity, 7);
  EXPECT_EQ(result.version, 42u);
  EXPECT_EQ(result.updated_at_us, kT0 + 5);
  const auto got = inv.get("a");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->quantity, 7);
  EXPECT_EQ(got->version, 42u);
  EXPECT_EQ(got->updated_at_us, kT0 + 5);
}

TEST(InventoryApply, StaleUpdateLeavesResultUntouched) {
  Inventory inv;
  inv.apply(update("a", 7, 42), kT0);
  StockEntry result{-99, 99, 99};
  EXPECT_EQ(inv.apply(update("a", 1, 41), kT0 + 1, &result), ApplyOutcome::kStale);
  EXPECT_EQ(result.quantity, -99);
  EXPECT_EQ(result.version, 99u);
}

TEST(InventoryApply, UnversionedEntryHasVersionZero) {
  Inventory inv;
  inv.apply(update("a", 1), kT0);
  EXPECT_EQ(inv.get("a")->version, 0u);
}

// ---- versions ---------------------------------------------------------------------------

TEST(InventoryVersions, NewerVersionIsApplied) {
  Inventory inv;
  EXPECT_EQ(inv.apply(update("a", 1, 10), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("a", 2, 11), kT0 + 1), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("a")->quantity, 2);
  EXPECT_EQ(inv.get("a")->version, 11u);
}

TEST(InventoryVersions, StaleVersionIsIgnored) {
  Inventory inv;
  inv.apply(update("a", 5, 10), kT0);
  EXPECT_EQ(inv.apply(update("a", 6, 10), kT0 + 1), ApplyOutcome::kStale);  // equal
  EXPECT_EQ(inv.apply(update("a", 7, 9), kT0 + 2), ApplyOutcome::kStale);   // lower
  EXPECT_EQ(inv.apply(update("a", 8, 1), kT0 + 3), ApplyOutcome::kStale);
  const auto e = inv.get("a");
  EXPECT_EQ(e->quantity, 5);
  EXPECT_EQ(e->version, 10u);
  EXPECT_EQ(e->updated_at_us, kT0);
  EXPECT_EQ(inv.stale_count(), 3u);
  EXPECT_EQ(inv.applied_count(), 1u);
}

TEST(InventoryVersions, StaleUpdateDoesNotMoveLastUpdateTime) {
  Inventory inv;
  inv.apply(update("a", 5, 10), kT0);
  inv.apply(update("a", 6, 3), kT0 + 1000);
  EXPECT_EQ(inv.last_update_us(), kT0);
}

TEST(InventoryVersions, UnversionedUpdatesApplyInArrivalOrder) {
  Inventory inv;
  EXPECT_EQ(inv.apply(update("a", 5), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("a", 9), kT0 + 1), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("a", 2), kT0 + 2), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("a")->quantity, 2);
  EXPECT_EQ(inv.stale_count(), 0u);
  EXPECT_EQ(inv.applied_count(), 3u);
}

TEST(InventoryVersions, UnversionedUpdateAppliesOverAVersionedOne) {
  Inventory inv;
  inv.apply(update("a", 5, 100), kT0);
  EXPECT_EQ(inv.apply(update("a", 6), kT0 + 1), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("a")->quantity, 6);
}

TEST(InventoryVersions, UnversionedAfterVersionedKeepsTheHigherVersion) {
  Inventory inv;
  inv.apply(update("a", 5, 100), kT0);
  inv.apply(update("a", 6), kT0 + 1);
  EXPECT_EQ(inv.get("a")->version, 100u);
  // So a later update with a lower version is still stale ...
  EXPECT_EQ(inv.apply(update("a", 7, 99), kT0 + 2), ApplyOutcome::kStale);
  EXPECT_EQ(inv.get("a")->quantity, 6);
  // ... and a higher one still applies.
  EXPECT_EQ(inv.apply(update("a", 8, 101), kT0 + 3), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("a")->quantity, 8);
}

TEST(InventoryVersions, VersionedUpdateAppliesOverAnUnversionedOne) {
  Inventory inv;
  inv.apply(update("a", 5), kT0);
  EXPECT_EQ(inv.apply(update("a", 6, 1), kT0 + 1), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("a")->quantity, 6);
  EXPECT_EQ(inv.get("a")->version, 1u);
}

TEST(InventoryVersions, MicrosecondStampBeatsSmallExplicitVersion) {
  Inventory inv;
  const std::uint64_t stamp = 1'700'000'000'123'456;  // a publish-time stamp
  inv.apply(update("a", 5, stamp), kT0);
  EXPECT_EQ(inv.apply(update("a", 9, 7), kT0 + 1), ApplyOutcome::kStale);
  EXPECT_EQ(inv.apply(update("a", 9, 1'000'000), kT0 + 2), ApplyOutcome::kStale);
  EXPECT_EQ(inv.get("a")->quantity, 5);
}

TEST(InventoryVersions, FirstUpdateOfAProductAlwaysApplies) {
  Inventory inv;
  EXPECT_EQ(inv.apply(update("a", 5, 0), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("b", 5, 1), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("c", 5, std::numeric_limits<std::uint64_t>::max()), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("c", 6, std::numeric_limits<std::uint64_t>::max()), kT0), ApplyOutcome::kStale);
}

TEST(InventoryVersions, VersionZeroMeansNoneAndAppliesInArrivalOrder) {
  Inventory inv;
  EXPECT_EQ(inv.apply(update("p", 1, 0), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("p", 2, 0), kT0 + 1), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("p")->quantity, 2);
  EXPECT_EQ(inv.apply(update("p", 3, 5), kT0 + 2), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.apply(update("p", 4, 0), kT0 + 3), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("p")->quantity, 4);
  EXPECT_EQ(inv.get("p")->version, 5u);
}

TEST(InventoryVersions, VersionsArePerProduct) {
  Inventory inv;
  inv.apply(update("a", 1, 100), kT0);
  EXPECT_EQ(inv.apply(update("b", 2, 5), kT0), ApplyOutcome::kApplied);
  EXPECT_EQ(inv.get("b")->quantity, 2);
}

// ---- get / list / ids_with_prefix / for_each / size -----------------------------------

TEST(InventoryGet, UnknownProductIsEmpty) {
  Inventory inv;
  EXPECT_EQ(inv.get("nope"), std::nullopt);
}

Inventory& fill(Inventory& inv, const std::vector<std::string>& ids) {
  std::int64_t q = 1;
  for (const auto& id : ids) inv.apply(update(id, q++), kT0);
  return inv;
}

std::vector<std::string> ids_of(const Inventory::Listing& listing) {
  std::vector<std::string> ids;
  for (const auto& row : listing.rows) ids.push_back(row.first);
  return ids;
}

TEST(InventoryList, IsSortedById) {
  Inventory inv;
  fill(inv, {"pear", "apple", "b-2", "b-10", "B", "42", "0", "banana"});
  const auto listing = inv.list("", 100);
  EXPECT_EQ(ids_of(listing), (std::vector<std::string>{"0", "42", "B", "apple", "b-10", "b-2", "banana", "pear"}));
  EXPECT_EQ(listing.matching, 8u);
}

TEST(InventoryList, RowsCarryTheirEntries) {
  Inventory inv;
  inv.apply(update("x", 11, 3), kT0 + 7);
  const auto listing = inv.list("", 10);
  ASSERT_EQ(listing.rows.size(), 1u);
  EXPECT_EQ(listing.rows[0].first, "x");
  EXPECT_EQ(listing.rows[0].second.quantity, 11);
  EXPECT_EQ(listing.rows[0].second.version, 3u);
  EXPECT_EQ(listing.rows[0].second.updated_at_us, kT0 + 7);
}

TEST(InventoryList, PrefixFilters) {
  Inventory inv;
  fill(inv, {"sku-1", "sku-2", "sk", "sku", "other", "xsku-3"});
  const auto listing = inv.list("sku", 100);
  EXPECT_EQ(ids_of(listing), (std::vector<std::string>{"sku", "sku-1", "sku-2"}));
  EXPECT_EQ(listing.matching, 3u);
}

TEST(InventoryList, PrefixMatchingNothingIsEmpty) {
  Inventory inv;
  fill(inv, {"a", "b"});
  const auto listing = inv.list("zzz", 100);
  EXPECT_TRUE(listing.rows.empty());
  EXPECT_EQ(listing.matching, 0u);
}

TEST(InventoryList, LimitKeepsTheFirstIdsAndCountsAllMatching) {
  Inventory inv;
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back("p" + std::string(i < 10 ? "0" : "") + std::to_string(i));
  fill(inv, ids);
  inv.apply(update("q", 1), kT0);
  const auto listing = inv.list("p", 5);
  EXPECT_EQ(ids_of(listing), (std::vector<std::string>{"p00", "p01", "p02", "p03", "p04"}));
  EXPECT_EQ(listing.matching, 100u);
}

TEST(InventoryList, LimitEqualToMatchingShowsAll) {
  Inventory inv;
  fill(inv, {"c", "a", "b"});
  const auto listing = inv.list("", 3);
  EXPECT_EQ(ids_of(listing), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(listing.matching, 3u);
}

TEST(InventoryList, LimitZeroShowsNoneButCounts) {
  Inventory inv;
  fill(inv, {"c", "a", "b"});
  const auto listing = inv.list("", 0);
  EXPECT_TRUE(listing.rows.empty());
  EXPECT_EQ(listing.matching, 3u);
}

TEST(InventoryIdsWithPrefix, SortedLimitedAndFiltered) {
  Inventory inv;
  fill(inv, {"sku-3", "sku-1", "sku-2", "other"});
  EXPECT_EQ(inv.ids_with_prefix("sku", 2), (std::vector<std::string>{"sku-1", "sku-2"}));
  EXPECT_EQ(inv.ids_with_prefix("sku", 10), (std::vector<std::string>{"sku-1", "sku-2", "sku-3"}));
  EXPECT_EQ(inv.ids_with_prefix("", 10), (std::vector<std::string>{"other", "sku-1", "sku-2", "sku-3"}));
  EXPECT_TRUE(inv.ids_with_prefix("x", 10).empty());
}

TEST(InventoryForEach, VisitsEveryEntryOnce) {
  Inventory inv;
  for (int i = 0; i < 200; ++i) inv.apply(update("id" + std::to_string(i), i, static_cast<std::uint64_t>(i) + 1), kT0);
  std::map<std::string, StockEntry> seen;
  inv.for_each([&](const std::string& id, const StockEntry& e) {
    EXPECT_TRUE(seen.emplace(id, e).second) << "visited twice: " << id;
  });
  ASSERT_EQ(seen.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    const auto& e = seen.at("id" + std::to_string(i));
    EXPECT_EQ(e.quantity, i);
    EXPECT_EQ(e.version, static_cast<std::uint64_t>(i) + 1);
  }
}

TEST(InventorySize, CountsDistinctProducts) {
  Inventory inv;
  EXPECT_EQ(inv.size(), 0u);
  inv.apply(update("a", 1), kT0);
  inv.apply(update("a", 2), kT0);
  inv.apply(update("b", 1), kT0);
  EXPECT_EQ(inv.size(), 2u);
}

// ---- counters and restore -----------------------------------------------------------------

TEST(InventoryCounters, StartAtZero) {
  Inventory inv;
  EXPECT_EQ(inv.applied_count(), 0u);
  EXPECT_EQ(inv.stale_count(), 0u);
  EXPECT_EQ(inv.last_update_us(), 0);
}

TEST(InventoryCounters, CountAppliedAndStaleAndTrackLastUpdate) {
  Inventory inv;
  inv.apply(update("a", 1, 5), kT0);
  inv.apply(update("a", 1, 4), kT0 + 10);
  inv.apply(update("b", 1), kT0 + 20);
  inv.apply(update("a", 1, 6), kT0 + 30);
  EXPECT_EQ(inv.applied_count(), 3u);
  EXPECT_EQ(inv.stale_count(), 1u);
  EXPECT_EQ(inv.last_update_us(), kT0 + 30);
}

TEST(InventoryRestore, PutsEntriesBackWithoutCountingThem) {
  Inventory inv;
  inv.restore("a", StockEntry{7, 12, kT0 + 3});
  inv.restore("b", StockEntry{0, 0, kT0 + 1});
  EXPECT_EQ(inv.size(), 2u);
  EXPECT_EQ(inv.applied_count(), 0u);
  EXPECT_EQ(inv.stale_count(), 0u);
  const auto a = inv.get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->quantity, 7);
  EXPECT_EQ(a->version, 12u);
  EXPECT_EQ(a->updated_at_us, kT0 + 3);
  EXPECT_EQ(inv.last_update_us(), kT0 + 3);  // the newest restored entry
}

TEST(InventoryRestore, ReplacesAnExistingEntry) {
  Inventory inv;
  inv.restore("a", StockEntry{7, 12, kT0});
  inv.restore("a", StockEntry{3, 20, kT0 + 1});
  EXPECT_EQ(inv.get("a")->quantity, 3);
  EXPECT_EQ(inv.get("a")->version, 20u);
  EXPECT_EQ(inv.size(), 1u);
}

TEST(InventoryRestore, RestoredVersionMakesOlderUpdatesStale) {
  Inventory inv;
  inv.restore("a", StockEntry{7, 12, kT0});
  EXPECT_EQ(inv.apply(update("a", 1, 12), kT0 + 1), ApplyOutcome::kStale);
  EXPECT_EQ(inv.apply(update("a", 1, 13), kT0 + 1), ApplyOutcome::kApplied);
}

// ---- one writer, many readers ------------------------------------------------------------

TEST(InventoryConcurrency, ReadersSeeMonotonicStockWhileOneWriterApplies) {
  constexpr int kProducts = 64;
  constexpr int kUpdates = 20000;
  constexpr int kReaders = 3;
  Inventory inv;
  std::atomic<bool> done{false};
  std::atomic<int> reader_failures{0};
  std::atomic<std::uint64_t> reads{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      std::vector<std::int64_t> last_seen(kProducts, -1);
      int i = r;
      bool last_pass = false;
      while (!last_pass) {
        last_pass = done.load(std::memory_order_acquire);  // one full pass after the writer finishes
        for (int k = 0; k < kProducts; ++k, ++i) {
          const int p = i % kProducts;
          const std::string id = "p" + std::to_string(p);
          const CheckResult c = inv.check(id, 1);
          if (c.in_stock) {
            // Quantities only grow for each product in this run.
            if (*c.in_stock < last_seen[p]) reader_failures.fetch_add(1);
            last_seen[p] = *c.in_stock;
            const auto expected = *c.in_stock >= 1 ? Availability::kAvailable : Availability::kInsufficientQuantity;
            if (c.answer != expected) reader_failures.fetch_add(1);
          } else if (c.answer != Availability::kProductNotFound) {
            reader_failures.fetch_add(1);
          }
          reads.fetch_add(1, std::memory_order_relaxed);
        }
        const auto listing = inv.list("p", 10);
        if (listing.rows.size() > 10 || listing.matching > static_cast<std::size_t>(kProducts))
          reader_failures.fetch_add(1);
        for (std::size_t k = 1; k < listing.rows.size(); ++k)
          if (!(listing.rows[k - 1].first < listing.rows[k].first)) reader_failures.fetch_add(1);
      }
    });
  }

  std::thread writer([&] {
    for (int i = 0; i < kUpdates; ++i) {
      const int p = i % kProducts;
      const auto version = static_cast<std::uint64_t>(i) + 1;
      inv.apply(update("p" + std::to_string(p), i / kProducts, version), kT0 + i);
      if (i % 10 == 0) inv.apply(update("p" + std::to_string(p), -1, version), kT0 + i);  // equal version: stale
    }
    done.store(true, std::memory_order_release);
  });

  writer.join();
  for (auto& t : readers) t.join();

  EXPECT_EQ(reader_failures.load(), 0);
  EXPECT_GE(reads.load(), static_cast<std::uint64_t>(kReaders * kProducts));
  EXPECT_EQ(inv.size(), static_cast<std::size_t>(kProducts));
  EXPECT_EQ(inv.applied_count(), static_cast<std::uint64_t>(kUpdates));
  EXPECT_EQ(inv.stale_count(), static_cast<std::uint64_t>(kUpdates / 10));
  EXPECT_EQ(inv.last_update_us(), kT0 + kUpdates - 1);
  for (int p = 0; p < kProducts; ++p) {
    const int last_i = (kUpdates - 1 - p) / kProducts * kProducts + p;  // last update index for product p
    const auto e = inv.get("p" + std::to_string(p));
    ASSERT_TRUE(e) << p;
    EXPECT_EQ(e->quantity, last_i / kProducts) << p;
    EXPECT_EQ(e->version, static_cast<std::uint64_t>(last_i) + 1) << p;
    EXPECT_EQ(e->updated_at_us, kT0 + last_i) << p;
  }
}

}  // namespace
}  // namespace inventory
