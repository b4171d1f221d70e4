// Writes the seed corpus of journal_fuzz (tests/fuzz/corpus/journal/) with the
// real record encoder: good files of both kinds and the damage recovery must
// handle. The files are committed; rerun this only when the record format changes.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>

#include "inventory/crc32c.hpp"
#include "inventory/state.hpp"

namespace {

using inventory::StockEntry;

constexpr std::int64_t kT0 = 1'700'000'000'000'000;

std::string file_of(std::string_view magic) { return std::string(magic); }

std::string three_records(std::string_view magic) {
  std::string f = file_of(magic);
  inventory::append_record(f, "42", StockEntry{10, 1'796'414'556'228'181, kT0});
  inventory::append_record(f, "sku-9", StockEntry{0, 0, kT0 + 1});
  inventory::append_record(f, "caf\xc3\xa9-\xe2\x82\xac", StockEntry{std::numeric_limits<std::int64_t>::max(),
                                                                      std::numeric_limits<std::uint64_t>::max(), kT0 + 2});
  return f;
}

// One record whose payload is `payload` verbatim, with a correct length and CRC.
void append_raw(std::string& out, std::string_view payload) {
  const auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  put32(static_cast<std::uint32_t>(payload.size()));
  put32(inventory::crc32c(payload));
  out += payload;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };

  const std::string journal = three_records(inventory::kJournalMagic);
  write("journal-empty", file_of(inventory::kJournalMagic));
  write("snapshot-empty", file_of(inventory::kSnapshotMagic));
  write("journal-three-records", journal);
  write("snapshot-three-records", three_records(inventory::kSnapshotMagic));

  std::string longest = file_of(inventory::kSnapshotMagic);
  inventory::append_record(longest, std::string(inventory::kMaxProductIdBytes, 'x'), StockEntry{1, 2, kT0});
  write("snapshot-longest-id", longest);

  write("journal-torn-header", journal.substr(0, journal.size() - 40));
  write("journal-torn-payload", journal.substr(0, journal.size() - 3));

  std::string bad_crc = journal;
  bad_crc[inventory::kJournalMagic.size() + 8 + 2] ^= 0x01;  // a quantity bit of the first record
  write("journal-bad-crc", bad_crc);

  std::string too_long = file_of(inventory::kJournalMagic);
  inventory::append_record(too_long, std::string(inventory::kMaxProductIdBytes + 1, 'y'), StockEntry{1, 1, kT0});
  write("journal-impossible-length", too_long);

  std::string negative = file_of(inventory::kJournalMagic);
  inventory::append_record(negative, "neg", StockEntry{-1, 3, kT0});
  write("journal-negative-quantity", negative);

  std::string empty_id = file_of(inventory::kJournalMagic);
  inventory::append_record(empty_id, "", StockEntry{1, 1, kT0});
  write("journal-empty-id", empty_id);

  std::string record;
  inventory::append_record(record, "fmt", StockEntry{5, 5, kT0});
  std::string payload = record.substr(8);
  payload[0] = 2;  // a format this build does not know, correctly checksummed
  std::string unknown_format = file_of(inventory::kJournalMagic);
  append_raw(unknown_format, payload);
  write("journal-unknown-format", unknown_format);

  write("wrong-magic", "INVJRNL0" + journal.substr(inventory::kJournalMagic.size()));
  write("short-magic", "INVJ");
  return 0;
}
