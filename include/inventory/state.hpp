// The store's map on disk (SPEC 7): a snapshot plus an append-only journal of
// applied updates, a CRC-32C on every record, fsync in batches before the
// consumer acks, and a lock so only one store uses a state directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "inventory/inventory.hpp"

namespace inventory {

// ---- Record format (pure; unit-tested and fuzzed) ---------------------------
// A file is an 8-byte magic followed by records:
//   u32 payload length | u32 CRC-32C of payload | payload
//   payload = u8 format(1) | i64 quantity | u64 version | i64 updated_at_us | id bytes
// All integers little-endian.
inline constexpr std::string_view kJournalMagic = "INVJRNL1";
inline constexpr std::string_view kSnapshotMagic = "INVSNAP1";

void append_record(std::string& out, std::string_view product_id, const StockEntry& entry);

struct RecordScan {
  std::size_t good_bytes = 0;  // offset just past the last good record (magic included)
  std::size_t records = 0;
  std::string problem;         // empty when every byte was a good record
  bool cut_short = false;      // the problem is only that the data ends inside a record
};

// Visits each good record of a file's contents, stopping at the first damaged
// or incomplete one. Never throws on any input. Problems name the byte where the
// bad record starts, counting the first record as byte `first_record_at` (the
// magic's length, unless `file` is a later piece of a file read in pieces).
RecordScan scan_records(std::string_view file, std::string_view magic,
                        const std::function<void(std::string_view id, const StockEntry&)>& visit,
                        std::size_t first_record_at = 0);

// ---- Where state lives -------------------------------------------------------
// $XDG_STATE_HOME/inventory_store, else ~/.local/state/inventory_store.
std::filesystem::path default_state_root();
// One state per queue: ROOT/<queue, with unsafe characters %-escaped>.
std::filesystem::path state_dir_for_queue(const std::filesystem::path& root, std::string_view queue);

// ---- The store on disk -------------------------------------------------------
class StateStore {
 public:
  struct LoadReport {
    std::size_t products = 0;
    std::size_t snapshot_records = 0;
    std::size_t journal_records = 0;
    std::string warning;  // a torn tail dropped, damage found: said once at start
  };

  // Creates `dir` if needed, takes its lock (StateError naming the holder if
  // another store has it), and loads what it holds into `inventory`.
  StateStore(std::filesystem::path dir, Inventory& inventory, LoadReport& report);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Buffers the record for an applied update (the entry as it now stands).
  void append(std::string_view product_id, const StockEntry& entry);
  // Writes what was appended and fdatasyncs it: after this the updates survive a
  // crash and may be acked. Throws StateError on any write error.
  void sync();
  std::uint64_t syncs() const { return syncs_; }

  // True when the journal has grown past the snapshot: time to compact.
  bool wants_compaction() const;
  // Writes a new snapshot of `inventory` (atomically) and empties the journal;
  // nothing to do when the journal is already empty.
  void compact(const Inventory& inventory);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  void open_and_load(Inventory& inventory, LoadReport& report);
  void open_journal_for_append();
  void write_snapshot(const Inventory& inventory);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
  int journal_fd_ = -1;
  std::string pending_;
  std::uint64_t journal_bytes_ = 0;
  std::uint64_t snapshot_bytes_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace inventory
