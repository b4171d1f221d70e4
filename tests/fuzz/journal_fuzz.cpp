// libFuzzer target for the state files: any bytes a crash, a full disk or a stray
// editor could leave as a journal or snapshot go through scan_records. Beyond "no
// crash, no sanitizer report", it checks what the store's recovery relies on: the
// good prefix is measured exactly, only valid entries are visited, and writing the
// visited records back gives the same prefix, byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/crc32c.hpp"
#include "inventory/state.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

[[noreturn]] void violated(const char* invariant) {
  std::fprintf(stderr, "journal_fuzz: invariant violated: %s\n", invariant);
  __builtin_trap();
}

struct Visit {
  std::string id;
  inventory::StockEntry entry;

  bool operator==(const Visit& o) const {
    return id == o.id && entry.quantity == o.entry.quantity && entry.version == o.entry.version &&
           entry.updated_at_us == o.entry.updated_at_us;
  }
};

std::vector<Visit> scan(std::string_view file, std::string_view magic, inventory::RecordScan& result) {
  std::vector<Visit> visits;
  result = inventory::scan_records(file, magic, [&](std::string_view id, const inventory::StockEntry& entry) {
    visits.push_back(Visit{std::string(id), entry});
  });
  return visits;
}

void check(std::string_view file, std::string_view magic) {
  inventory::RecordScan result;
  const std::vector<Visit> visits = scan(file, magic, result);

  if (result.good_bytes > file.size()) violated("good_bytes > size");
  if (result.records != visits.size()) violated("records != visits");
  for (const Visit& v : visits) {
    if (v.id.empty()) violated("a visited id is empty");
    if (v.entry.quantity < 0) violated("a visited quantity is negative");
  }
  if (result.problem.empty() && result.good_bytes != file.size()) violated("no problem, yet not every byte is good");
  if (!result.problem.empty() && result.good_bytes == file.size() && !file.empty())
    violated("a problem, yet every byte is good");
  if (result.good_bytes != 0 && result.good_bytes < magic.size()) violated("good_bytes inside the magic");

  // Writing the visited records back reproduces the good prefix exactly ...
  std::string rewritten(magic);
  for (const Visit& v : visits) inventory::append_record(rewritten, v.id, v.entry);
  if (result.good_bytes >= magic.size() && rewritten != file.substr(0, result.good_bytes))
    violated("re-encoding the visited records does not give the good prefix");

  // ... and scanning it again visits the same records, with no problem.
  inventory::RecordScan again;
  const std::vector<Visit> revisits = scan(rewritten, magic, again);
  if (!again.problem.empty()) violated("the re-encoded records have a problem");
  if (again.good_bytes != rewritten.size()) violated("the re-encoded records are not all good");
  if (revisits != visits) violated("the re-encoded records visit differently");
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Walks the records after the magic and gives each one that fits the CRC of its
// payload, so mutations inside a payload reach the checks behind the checksum.
void fix_checksums(std::uint8_t* data, std::size_t size) {
  std::size_t at = inventory::kJournalMagic.size();
  while (at <= size && size - at >= 8) {
    const std::uint32_t len = get_u32(data + at);
    if (size - at - 8 < len) return;
    const std::string_view payload(reinterpret_cast<const char*>(data + at + 8), len);
    put_u32(data + at + 4, inventory::crc32c(payload));
    at += 8 + std::size_t{len};
  }
}

}  // namespace

// libFuzzer's own mutations, then, on every other call, checksums made right again:
// without it almost every mutant dies at the CRC check.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (seed % 2 == 0) fix_checksums(data, size);
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  check(file, inventory::kJournalMagic);
  check(file, inventory::kSnapshotMagic);
  return 0;
}
