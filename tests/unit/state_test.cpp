// The state on disk (SPEC 7): record format, torn tails, checksums, the lock,
// restore after restart, compaction, and where the state directory goes.
#include "inventory/state.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "inventory/crc32c.hpp"
#include "inventory/errors.hpp"

namespace inventory {
namespace {

namespace fs = std::filesystem;

using Records = std::vector<std::pair<std::string, StockEntry>>;

bool same_entry(const StockEntry& a, const StockEntry& b) {
  return a.quantity == b.quantity && a.version == b.version && a.updated_at_us == b.updated_at_us;
}

Records sample_records() {
  return {
      {"1", StockEntry{0, 0, 0}},
      {"sku-42", StockEntry{17, 1'700'000'000'000'001, 1'700'000'000'000'002}},
      {"caf\xC3\xA9-\xF0\x9F\x98\x80", StockEntry{std::numeric_limits<std::int64_t>::max(),
                                                   std::numeric_limits<std::uint64_t>::max(), -1}},
      {std::string(kMaxProductIdBytes, 'x'), StockEntry{5, 6, 7}},
      {"a\"b\\c", StockEntry{3, 0, 9}},
  };
}

std::string file_of(std::string_view magic, const Records& records) {
  std::string out(magic);
  for (const auto& [id, entry] : records) append_record(out, id, entry);
  return out;
}

struct Scanned {
  RecordScan scan;
  Records records;
};

Scanned scan(std::string_view file, std::string_view magic = kJournalMagic) {
  Scanned out;
  out.scan = scan_records(file, magic, [&](std::string_view id, const StockEntry& e) {
    out.records.emplace_back(std::string(id), e);
  });
  return out;
}

void expect_same_records(const Records& got, const Records& want, std::size_t count) {
  ASSERT_EQ(got.size(), count);
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(got[i].first, want[i].first) << i;
    EXPECT_TRUE(same_entry(got[i].second, want[i].second)) << i;
  }
}

// ---- crc32c ------------------------------------------------------------------------

TEST(Crc32c, KnownVector) { EXPECT_EQ(crc32c("123456789"), 0xE3069283u); }

TEST(Crc32c, EmptyIsZero) { EXPECT_EQ(crc32c(""), 0u); }

TEST(Crc32c, MoreKnownVectors) {
  // From RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending += static_cast<char>(i);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, CanBeComputedInPieces) {
  const std::string data = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox.";
  for (std::size_t cut = 0; cut <= data.size(); ++cut)
    EXPECT_EQ(crc32c(data.substr(cut), crc32c(data.substr(0, cut))), crc32c(data)) << cut;
}

// ---- record format -------------------------------------------------------------------

TEST(RecordFormat, RoundTrip) {
  const Records records = sample_records();
  const std::string file = file_of(kJournalMagic, records);
  const Scanned s = scan(file);
  EXPECT_TRUE(s.scan.problem.empty()) << s.scan.problem;
  EXPECT_EQ(s.scan.records, records.size());
  EXPECT_EQ(s.scan.good_bytes, file.size());
  expect_same_records(s.records, records, records.size());
}

TEST(RecordFormat, RecordLayoutIsLengthCrcPayload) {
  std::string out;
  append_record(out, "ab", StockEntry{1, 2, 3});
  ASSERT_EQ(out.size(), 8u + 25u + 2u);
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 27u);  // payload length, little-endian
  EXPECT_EQ(out.substr(1, 3), std::string(3, '\0'));
  const std::string payload = out.substr(8);
  const std::uint32_t crc = crc32c(payload);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(static_cast<unsigned char>(out[4 + static_cast<std::size_t>(i)]), (crc >> (8 * i)) & 0xFFu);
  EXPECT_EQ(payload[0], '\x01');  // format
  EXPECT_EQ(payload.substr(payload.size() - 2), "ab");
}

TEST(RecordFormat, SnapshotMagicIsDistinct) {
  const Records records = sample_records();
  const std::string file = file_of(kSnapshotMagic, records);
  EXPECT_EQ(scan(file, kSnapshotMagic).scan.records, records.size());
  const Scanned wrong = scan(file, kJournalMagic);
  EXPECT_EQ(wrong.scan.records, 0u);
  EXPECT_FALSE(wrong.scan.problem.empty());
}

TEST(RecordFormat, EmptyFileIsNoRecordsAndNoProblem) {
  const Scanned s = scan("");
  EXPECT_EQ(s.scan.records, 0u);
  EXPECT_EQ(s.scan.good_bytes, 0u);
  EXPECT_TRUE(s.scan.problem.empty());
}

TEST(RecordFormat, MagicOnlyIsNoRecords) {
  const Scanned s = scan(kJournalMagic);
  EXPECT_EQ(s.scan.records, 0u);
  EXPECT_EQ(s.scan.good_bytes, kJournalMagic.size());
  EXPECT_TRUE(s.scan.problem.empty());
}

TEST(RecordFormat, WrongMagicIsAProblem) {
  std::string file = file_of(kJournalMagic, sample_records());
  file[0] = 'X';
  const Scanned s = scan(file);
  EXPECT_EQ(s.scan.records, 0u);
  EXPECT_EQ(s.scan.good_bytes, 0u);
  EXPECT_TRUE(s.records.empty());
  EXPECT_NE(s.scan.problem.find(std::string(kJournalMagic)), std::string::npos) << s.scan.problem;
}

TEST(RecordFormat, TruncatedMagicIsAProblem) {
  for (std::size_t n = 1; n < kJournalMagic.size(); ++n) {
    const Scanned s = scan(kJournalMagic.substr(0, n));
    EXPECT_FALSE(s.scan.problem.empty()) << n;
    EXPECT_EQ(s.scan.good_bytes, 0u) << n;
  }
}

TEST(RecordFormat, TornLastRecordStopsAtThePreviousBoundary) {
  const Records records = sample_records();
  const std::string whole = file_of(kJournalMagic, records);
  const std::string before_last = file_of(kJournalMagic, Records(records.begin(), records.end() - 1));
  const std::size_t last_len = whole.size() - before_last.size();
  for (std::size_t keep = 1; keep < last_len; ++keep) {
    const std::string torn = whole.substr(0, before_last.size() + keep);
    Scanned s;
    ASSERT_NO_THROW(s = scan(torn)) << keep;
    EXPECT_EQ(s.scan.good_bytes, before_last.size()) << keep;
    EXPECT_EQ(s.scan.records, records.size() - 1) << keep;
    EXPECT_FALSE(s.scan.problem.empty()) << keep;
    expect_same_records(s.records, records, records.size() - 1);
  }
}

TEST(RecordFormat, EveryTruncationIsHandled) {
  const std::string whole = file_of(kJournalMagic, sample_records());
  for (std::size_t n = 0; n <= whole.size(); ++n) {
    Scanned s;
    ASSERT_NO_THROW(s = scan(std::string_view(whole).substr(0, n))) << n;
    EXPECT_LE(s.scan.good_bytes, n);
    EXPECT_EQ(s.scan.problem.empty(), n == 0 || s.scan.good_bytes == n) << n;
  }
}

TEST(RecordFormat, FlippedPayloadByteIsCaughtByTheChecksum) {
  const Records records = sample_records();
  const std::string file = file_of(kJournalMagic, records);
  const std::string first_two = file_of(kJournalMagic, Records(records.begin(), records.begin() + 2));
  const std::size_t third_payload = first_two.size() + 8;
  std::string first_three = file_of(kJournalMagic, Records(records.begin(), records.begin() + 3));
  for (std::size_t at = third_payload; at < first_three.size(); ++at) {
    std::string damaged = file;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    const Scanned s = scan(damaged);
    EXPECT_EQ(s.scan.records, 2u) << at;
    EXPECT_EQ(s.scan.good_bytes, first_two.size()) << at;
    EXPECT_NE(s.scan.problem.find("checksum"), std::string::npos) << at << ": " << s.scan.problem;
  }
}

TEST(RecordFormat, FlippedHeaderByteStopsTheScan) {
  const Records records = sample_records();
  const std::string file = file_of(kJournalMagic, records);
  const std::string first = file_of(kJournalMagic, Records(records.begin(), records.begin() + 1));
  for (std::size_t at = first.size(); at < first.size() + 8; ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = file;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      Scanned s;
      ASSERT_NO_THROW(s = scan(damaged));
      EXPECT_EQ(s.scan.records, 1u) << at << "/" << bit;
      EXPECT_FALSE(s.scan.problem.empty()) << at << "/" << bit;
    }
  }
}

TEST(RecordFormat, GarbageAfterGoodRecordsKeepsThem) {
  const Records records = sample_records();
  const std::string good = file_of(kJournalMagic, records);
  for (const std::string& garbage : {std::string("\xFF"), std::string(7, '\0'), std::string(100, '\xAB'),
                                     std::string("hello, world: not a record")}) {
    const Scanned s = scan(good + garbage);
    EXPECT_EQ(s.scan.records, records.size());
    EXPECT_EQ(s.scan.good_bytes, good.size());
    EXPECT_FALSE(s.scan.problem.empty());
  }
}

TEST(RecordFormat, ImpossibleLengthIsAProblem) {
  std::string file(kJournalMagic);
  file += std::string("\xFF\xFF\xFF\x7F", 4) + std::string(4, '\0') + std::string(64, 'x');
  const Scanned s = scan(file);
  EXPECT_EQ(s.scan.records, 0u);
  EXPECT_NE(s.scan.problem.find("length"), std::string::npos) << s.scan.problem;
}

TEST(RecordFormat, RecordWithEmptyIdIsRejected) {
  std::string file(kJournalMagic);
  append_record(file, "", StockEntry{1, 1, 1});
  const Scanned s = scan(file);
  EXPECT_EQ(s.scan.records, 0u);
  EXPECT_FALSE(s.scan.problem.empty());
}

TEST(RecordFormat, RecordWithNegativeQuantityIsRejected) {
  std::string file(kJournalMagic);
  append_record(file, "a", StockEntry{-1, 1, 1});
  const Scanned s = scan(file);
  EXPECT_EQ(s.scan.records, 0u);
  EXPECT_FALSE(s.scan.problem.empty());
}

TEST(RecordFormat, NeverThrowsOnArbitraryBytes) {
  std::uint32_t x = 12345;
  for (int round = 0; round < 300; ++round) {
    std::string file(kJournalMagic);
    const std::size_t n = x % 300;
    for (std::size_t i = 0; i < n; ++i) {
      x = x * 1664525u + 1013904223u;
      file += static_cast<char>(x >> 24);
    }
    EXPECT_NO_THROW(scan(file));
  }
}

// ---- where state lives ------------------------------------------------------------------

// Saves an environment variable and puts it back.
class EnvGuard {
 public:
  explicit EnvGuard(const char* name) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
  }
  ~EnvGuard() {
    if (saved_) ::setenv(name_, saved_->c_str(), 1);
    else ::unsetenv(name_);
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(StateDirForQueue, PlainQueueNameIsKept) {
  EXPECT_EQ(state_dir_for_queue("/r", "inventory_updates"), fs::path("/r/inventory_updates"));
  EXPECT_EQ(state_dir_for_queue("/r", "shop-1.updates"), fs::path("/r/shop-1.updates"));
}

TEST(StateDirForQueue, SlashIsEscaped) {
  EXPECT_EQ(state_dir_for_queue("/r", "a/b"), fs::path("/r/a%2Fb"));
  EXPECT_EQ(state_dir_for_queue("/r", "../x"), fs::path("/r/%2E.%2Fx"));
}

TEST(StateDirForQueue, LeadingDotIsEscaped) {
  EXPECT_EQ(state_dir_for_queue("/r", ".hidden"), fs::path("/r/%2Ehidden"));
  EXPECT_EQ(state_dir_for_queue("/r", "."), fs::path("/r/%2E"));
  EXPECT_EQ(state_dir_for_queue("/r", ".."), fs::path("/r/%2E."));
}

TEST(StateDirForQueue, OtherUnsafeCharactersAreEscapedAndNamesStayDistinct) {
  EXPECT_EQ(state_dir_for_queue("/r", "a b"), fs::path("/r/a%20b"));
  EXPECT_EQ(state_dir_for_queue("/r", "a%2Fb"), fs::path("/r/a%252Fb"));  // '%' itself is escaped
  EXPECT_NE(state_dir_for_queue("/r", "a%2Fb"), state_dir_for_queue("/r", "a/b"));
  EXPECT_EQ(state_dir_for_queue("/r", "caf\xC3\xA9"), fs::path("/r/caf%C3%A9"));
}

TEST(StateDirForQueue, StaysOneLevelUnderTheRoot) {
  for (std::string_view queue : {"a/b", "..", ".", "/abs", "a/../../b", "\\x", "q\n"}) {
    const fs::path dir = state_dir_for_queue("/r", queue);
    EXPECT_EQ(dir.parent_path(), fs::path("/r")) << queue;
    EXPECT_NE(dir.filename(), fs::path("..")) << queue;
    EXPECT_NE(dir.filename(), fs::path(".")) << queue;
  }
}

TEST(DefaultStateRoot, PrefersXdgStateHome) {
  EnvGuard xdg("XDG_STATE_HOME"), home("HOME");
  ::setenv("XDG_STATE_HOME", "/xdg/state", 1);
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(default_state_root(), fs::path("/xdg/state/inventory_store"));
}

TEST(DefaultStateRoot, FallsBackToHome) {
  EnvGuard xdg("XDG_STATE_HOME"), home("HOME");
  ::unsetenv("XDG_STATE_HOME");
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(default_state_root(), fs::path("/home/someone/.local/state/inventory_store"));
}

TEST(DefaultStateRoot, EmptyXdgStateHomeCountsAsUnset) {
  EnvGuard xdg("XDG_STATE_HOME"), home("HOME");
  ::setenv("XDG_STATE_HOME", "", 1);
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(default_state_root(), fs::path("/home/someone/.local/state/inventory_store"));
}

// ---- StateStore ----------------------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/inventory_state_test.XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (!made) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::map<std::string, StockEntry> contents(const Inventory& inv) {
  std::map<std::string, StockEntry> out;
  inv.for_each([&](const std::string& id, const StockEntry& e) { out.emplace(id, e); });
  return out;
}

void expect_same_contents(const Inventory& got, const Inventory& want) {
  const auto g = contents(got), w = contents(want);
  ASSERT_EQ(g.size(), w.size());
  for (const auto& [id, entry] : w) {
    const auto it = g.find(id);
    ASSERT_NE(it, g.end()) << id;
    EXPECT_TRUE(same_entry(it->second, entry)) << id;
  }
}

// Applies `u` to `inv` and, when applied, journals the entry as a store does.
void apply_and_append(Inventory& inv, StateStore& store, const InventoryUpdate& u, std::int64_t at) {
  StockEntry entry;
  if (inv.apply(u, at, &entry) == ApplyOutcome::kApplied) store.append(u.product_id, entry);
}

TEST(StateStore, FreshDirectoryLoadsNothing) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "queue";
  Inventory inv;
  StateStore::LoadReport report;
  StateStore store(dir, inv, report);
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(store.dir(), dir);
  EXPECT_EQ(report.products, 0u);
  EXPECT_TRUE(report.warning.empty()) << report.warning;
  EXPECT_EQ(inv.size(), 0u);
}

TEST(StateStore, RestartRestoresSyncedUpdates) {
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    apply_and_append(before, store, {"a", 5, 10}, 1000);
    apply_and_append(before, store, {"b", 7, std::nullopt}, 1001);
    apply_and_append(before, store, {"a", 6, 11}, 1002);
    apply_and_append(before, store, {"a", 1, 3}, 1003);  // stale: not journalled
    store.sync();
    EXPECT_EQ(store.syncs(), 1u);
  }
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  EXPECT_TRUE(report.warning.empty()) << report.warning;
  EXPECT_EQ(report.products, 2u);
  EXPECT_EQ(report.journal_records, 3u);
  expect_same_contents(after, before);
  EXPECT_EQ(after.get("a")->quantity, 6);
  EXPECT_EQ(after.get("a")->version, 11u);
  EXPECT_EQ(after.applied_count(), 0u);  // restoring is not applying
  EXPECT_EQ(after.last_update_us(), 1002);
}

TEST(StateStore, SyncWithNothingPendingDoesNothing) {
  TempDir tmp;
  Inventory inv;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), inv, report);
  store.sync();
  EXPECT_EQ(store.syncs(), 0u);
}

TEST(StateStore, UnsyncedAppendsAreNotOnDisk) {
  TempDir tmp;
  {
    Inventory inv;
    StateStore::LoadReport report;
    StateStore store(tmp.path(), inv, report);
    apply_and_append(inv, store, {"a", 5, 1}, 1);
    store.sync();
    apply_and_append(inv, store, {"b", 5, 1}, 2);  // never synced
  }
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  EXPECT_TRUE(after.get("a").has_value());
  EXPECT_FALSE(after.get("b").has_value());
}

TEST(StateStore, SecondStoreOnTheSameDirectoryIsRefused) {
  TempDir tmp;
  Inventory first_inv;
  StateStore::LoadReport first_report;
  StateStore first(tmp.path(), first_inv, first_report);
  Inventory second_inv;
  StateStore::LoadReport second_report;
  try {
    StateStore second(tmp.path(), second_inv, second_report);
    FAIL() << "a second store took the same state directory";
  } catch (const StateError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("in use"), std::string::npos) << message;
    EXPECT_NE(message.find(tmp.path().string()), std::string::npos) << message;
  }
}

TEST(StateStore, LockIsReleasedWhenTheStoreIsDestroyed) {
  TempDir tmp;
  {
    Inventory inv;
    StateStore::LoadReport report;
    StateStore store(tmp.path(), inv, report);
  }
  Inventory inv;
  StateStore::LoadReport report;
  EXPECT_NO_THROW(StateStore(tmp.path(), inv, report));
}

TEST(StateStore, RefusedStoreLeavesTheStateIntact) {
  TempDir tmp;
  Inventory first_inv;
  {
    StateStore::LoadReport report;
    StateStore first(tmp.path(), first_inv, report);
    apply_and_append(first_inv, first, {"a", 5, 1}, 1);
    first.sync();
    Inventory other;
    StateStore::LoadReport other_report;
    EXPECT_THROW(StateStore(tmp.path(), other, other_report), StateError);
    EXPECT_EQ(other.size(), 0u);  // refused before loading anything
    apply_and_append(first_inv, first, {"b", 6, 1}, 2);
    first.sync();
  }
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  EXPECT_TRUE(report.warning.empty()) << report.warning;
  expect_same_contents(after, first_inv);
}

TEST(StateStore, GarbageAtTheEndOfTheJournalIsDroppedWithAWarning) {
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    apply_and_append(before, store, {"a", 5, 1}, 1);
    apply_and_append(before, store, {"b", 6, 2}, 2);
    store.sync();
  }
  {
    std::ofstream journal(tmp.path() / "journal", std::ios::binary | std::ios::app);
    ASSERT_TRUE(journal);
    // A header promising a 25-byte payload, then fewer bytes: a write cut short.
    const std::string torn = std::string("\x19\x00\x00\x00", 4) + "garbage";
    journal.write(torn.data(), static_cast<std::streamsize>(torn.size()));
  }
  Inventory after;
  {
    StateStore::LoadReport report;
    ASSERT_NO_THROW({
      StateStore store(tmp.path(), after, report);
    });
    EXPECT_FALSE(report.warning.empty());
    EXPECT_NE(report.warning.find("journal"), std::string::npos) << report.warning;
    EXPECT_EQ(report.journal_records, 2u);
    EXPECT_EQ(report.products, 2u);
    expect_same_contents(after, before);
  }
  // The torn tail is gone for good: the next start is clean.
  Inventory again;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), again, report);
  EXPECT_TRUE(report.warning.empty()) << report.warning;
  expect_same_contents(again, before);
}

TEST(StateStore, TornLastRecordIsDroppedAndTheRestKept) {
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    apply_and_append(before, store, {"a", 5, 1}, 1);
    store.sync();
    apply_and_append(before, store, {"b", 6, 2}, 2);
    store.sync();
  }
  const fs::path journal = tmp.path() / "journal";
  fs::resize_file(journal, fs::file_size(journal) - 3);
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  EXPECT_FALSE(report.warning.empty());
  EXPECT_EQ(after.size(), 1u);
  ASSERT_TRUE(after.get("a").has_value());
  EXPECT_EQ(after.get("a")->quantity, 5);
  EXPECT_FALSE(after.get("b").has_value());
}

TEST(StateStore, CompactThenReopenKeepsEverything) {
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    for (int i = 0; i < 300; ++i)
      apply_and_append(before, store, {"p" + std::to_string(i % 50), i, static_cast<std::uint64_t>(i) + 1}, 1000 + i);
    store.sync();
    store.compact(before);
    EXPECT_FALSE(store.wants_compaction());
    EXPECT_EQ(fs::file_size(tmp.path() / "journal"), kJournalMagic.size());
    // Updates after the compaction land in the fresh journal.
    apply_and_append(before, store, {"p0", 999, 10'000}, 5000);
    apply_and_append(before, store, {"new", 1, std::nullopt}, 5001);
    store.sync();
  }
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  EXPECT_TRUE(report.warning.empty()) << report.warning;
  EXPECT_EQ(report.snapshot_records, 50u);
  EXPECT_EQ(report.journal_records, 2u);
  EXPECT_EQ(report.products, 51u);
  expect_same_contents(after, before);
  EXPECT_EQ(after.get("p0")->quantity, 999);
}

TEST(StateStore, StateLargerThanOneReadIsRestoredExactly) {
  // Snapshot and journal are read a megabyte at a time: records straddle the
  // pieces, and a torn tail is still found at its true offset.
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    for (int i = 0; i < 60'000; ++i)
      apply_and_append(before, store, {"product-" + std::to_string(i), i, static_cast<std::uint64_t>(i) + 1}, i);
    store.sync();
  }
  ASSERT_GT(fs::file_size(tmp.path() / "journal"), 2u << 20);
  {
    Inventory after;
    StateStore::LoadReport report;
    StateStore store(tmp.path(), after, report);  // replays the 2+ MiB journal, writes the snapshot
    EXPECT_TRUE(report.warning.empty()) << report.warning;
    EXPECT_EQ(report.journal_records, 60'000u);
    expect_same_contents(after, before);
    apply_and_append(after, store, {"product-7", 70, 70'000}, 70'000);
    before.apply({"product-7", 70, 70'000}, 70'000);
    store.sync();
  }
  ASSERT_GT(fs::file_size(tmp.path() / "snapshot"), 2u << 20);
  const auto journal_size = fs::file_size(tmp.path() / "journal");
  {
    std::ofstream(tmp.path() / "journal", std::ios::app | std::ios::binary) << std::string("\x30\0\0\0torn", 8);
  }
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  EXPECT_EQ(report.snapshot_records, 60'000u);
  EXPECT_EQ(report.journal_records, 1u);
  EXPECT_NE(report.warning.find("dropped 8 byte(s) at the end of the journal (an incomplete record at byte " +
                                std::to_string(journal_size) + ")"),
            std::string::npos)
      << report.warning;
  EXPECT_EQ(after.get("product-7")->quantity, 70);
  EXPECT_EQ(after.size(), 60'000u);
}

TEST(StateStore, CompactWithAnEmptyJournalLeavesTheSnapshotAlone) {
  // A store that applied nothing must not rewrite a large snapshot at every exit.
  TempDir tmp;
  Inventory inv;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), inv, report);
    apply_and_append(inv, store, {"a", 1, 1}, 1000);
    store.sync();
  }
  Inventory again;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), again, report);  // compacts the one record into the snapshot
  const auto written = fs::last_write_time(tmp.path() / "snapshot");
  fs::last_write_time(tmp.path() / "snapshot", written - std::chrono::hours(1));
  store.compact(again);
  EXPECT_EQ(fs::last_write_time(tmp.path() / "snapshot"), written - std::chrono::hours(1));
  apply_and_append(again, store, {"a", 2, 2}, 2000);
  store.compact(again);
  EXPECT_NE(fs::last_write_time(tmp.path() / "snapshot"), written - std::chrono::hours(1));
}

TEST(StateStore, CompactWritesPendingAppendsFirst) {
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    apply_and_append(before, store, {"a", 5, 1}, 1);  // not synced by hand
    store.compact(before);
  }
  Inventory after;
  StateStore::LoadReport report;
  StateStore store(tmp.path(), after, report);
  expect_same_contents(after, before);
  EXPECT_EQ(after.size(), 1u);
}

TEST(StateStore, RepeatedRestartsKeepEverything) {
  TempDir tmp;
  Inventory expected;
  for (int run = 0; run < 5; ++run) {
    Inventory inv;
    StateStore::LoadReport report;
    StateStore store(tmp.path(), inv, report);
    EXPECT_TRUE(report.warning.empty()) << run << ": " << report.warning;
    expect_same_contents(inv, expected);
    const std::string id = "run" + std::to_string(run);
    apply_and_append(inv, store, {id, run, std::nullopt}, run);
    apply_and_append(inv, store, {"shared", run, static_cast<std::uint64_t>(run) + 1}, run);
    store.sync();
    expected.apply({id, run, std::nullopt}, run);
    expected.apply({"shared", run, static_cast<std::uint64_t>(run) + 1}, run);
  }
}

TEST(StateStore, DamagedSnapshotIsReportedNotFatal) {
  TempDir tmp;
  Inventory before;
  {
    StateStore::LoadReport report;
    StateStore store(tmp.path(), before, report);
    apply_and_append(before, store, {"a", 5, 1}, 1);
    apply_and_append(before, store, {"b", 6, 1}, 1);
    store.sync();
    store.compact(before);
  }
  const fs::path snapshot = tmp.path() / "snapshot";
  fs::resize_file(snapshot, fs::file_size(snapshot) - 1);
  Inventory after;
  StateStore::LoadReport report;
  ASSERT_NO_THROW({ StateStore store(tmp.path(), after, report); });
  EXPECT_NE(report.warning.find("snapshot"), std::string::npos) << report.warning;
  EXPECT_EQ(report.snapshot_records, 1u);
}

}  // namespace
}  // namespace inventory
