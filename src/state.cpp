#include "inventory/state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "inventory/crc32c.hpp"
#include "inventory/errors.hpp"

namespace inventory {
namespace {

constexpr std::uint8_t kRecordFormat = 1;
constexpr std::size_t kFixedPayload = 1 + 8 + 8 + 8;
constexpr std::size_t kMaxPayload = kFixedPayload + kMaxProductIdBytes;
constexpr std::uint64_t kMinCompactBytes = 16ull << 20;

template <typename T>
void put_le(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xFF);
}

template <typename T>
T get_le(const char* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= std::uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<T>(v);
}

std::string errno_text() { return std::strerror(errno); }

[[noreturn]] void fail(const std::string& what) { throw StateError(what + ": " + errno_text()); }

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + path.string());
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    fail("cannot open " + path.string());
  }
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("cannot read " + path.string());
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

void sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory " + dir.string());
  ::fsync(fd);
  ::close(fd);
}

// Scans a whole file a megabyte at a time, so loading a large snapshot never
// holds the file and the map in memory together. `size` receives the file size.
RecordScan scan_file(const std::filesystem::path& path, std::string_view magic,
                     const std::function<void(std::string_view, const StockEntry&)>& visit, std::uint64_t& size) {
  constexpr std::size_t kPiece = 1 << 20;
  size = 0;
  RecordScan total;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return total;
    fail("cannot open " + path.string());
  }
  // `buffer` always starts with the magic: the file's own, then a stand-in in
  // front of what is left to scan, which begins at file offset `base`.
  std::string buffer;
  std::uint64_t base = 0;
  bool later_piece = false, eof = false;
  for (;;) {
    while (!eof && buffer.size() < kPiece) {
      const std::size_t have = buffer.size();
      buffer.resize(have + kPiece);
      const ssize_t n = ::read(fd, buffer.data() + have, kPiece);
      if (n < 0 && errno == EINTR) {
        buffer.resize(have);
        continue;
      }
      if (n < 0) {
        ::close(fd);
        fail("cannot read " + path.string());
      }
      buffer.resize(have + static_cast<std::size_t>(n));
      size += static_cast<std::uint64_t>(n);
      eof = n == 0;
    }
    if (!later_piece && buffer.empty()) break;  // an empty file
    const RecordScan piece = scan_records(buffer, magic, visit, later_piece ? base : 0);
    total.records += piece.records;
    if (piece.good_bytes > 0) total.good_bytes = later_piece ? base + (piece.good_bytes - magic.size()) : piece.good_bytes;
    const bool more_to_read = piece.problem.empty() || (piece.cut_short && !eof);
    if (!more_to_read || (eof && piece.problem.empty())) {
      total.problem = piece.problem;
      total.cut_short = piece.cut_short;
      break;
    }
    std::string rest = buffer.substr(piece.good_bytes);
    base = total.good_bytes;
    buffer.assign(magic);
    buffer += rest;
    later_piece = true;
  }
  ::close(fd);
  return total;
}

// The journal records the entry as it stands after the update: replaying is restoring.
void replay(Inventory& inventory, std::string_view id, const StockEntry& entry) { inventory.restore(id, entry); }

}  // namespace

void append_record(std::string& out, std::string_view product_id, const StockEntry& entry) {
  // Header first with a zero CRC, payload written in place, then the CRC filled in.
  const std::size_t start = out.size();
  const std::size_t payload_size = kFixedPayload + product_id.size();
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(payload_size));
  put_le<std::uint32_t>(out, 0);
  out += static_cast<char>(kRecordFormat);
  put_le<std::int64_t>(out, entry.quantity);
  put_le<std::uint64_t>(out, entry.version);
  put_le<std::int64_t>(out, entry.updated_at_us);
  out += product_id;
  const std::uint32_t crc = crc32c(std::string_view(out).substr(start + 8, payload_size));
  for (std::size_t i = 0; i < 4; ++i) out[start + 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
}

RecordScan scan_records(std::string_view file, std::string_view magic,
                        const std::function<void(std::string_view, const StockEntry&)>& visit,
                        std::size_t first_record_at) {
  RecordScan scan;
  if (first_record_at == 0) first_record_at = magic.size();
  const auto byte = [&](std::size_t at) { return std::to_string(at - magic.size() + first_record_at); };
  if (file.empty()) return scan;
  if (file.size() < magic.size() || file.substr(0, magic.size()) != magic) {
    scan.problem = "the file does not start with " + std::string(magic);
    return scan;
  }
  std::size_t at = magic.size();
  scan.good_bytes = at;
  while (at < file.size()) {
    if (file.size() - at < 8) {
      scan.problem = "an incomplete record header at byte " + byte(at);
      scan.cut_short = true;
      return scan;
    }
    const auto len = get_le<std::uint32_t>(file.data() + at);
    const auto crc = get_le<std::uint32_t>(file.data() + at + 4);
    if (len < kFixedPayload || len > kMaxPayload) {
      scan.problem = "a record of impossible length " + std::to_string(len) + " at byte " + byte(at);
      return scan;
    }
    if (file.size() - at - 8 < len) {
      scan.problem = "an incomplete record at byte " + byte(at);
      scan.cut_short = true;
      return scan;
    }
    const std::string_view payload = file.substr(at + 8, len);
    if (crc32c(payload) != crc) {
      scan.problem = "a record with a bad checksum at byte " + byte(at);
      return scan;
    }
    if (static_cast<std::uint8_t>(payload[0]) != kRecordFormat) {
      scan.problem = "a record of unknown format at byte " + byte(at);
      return scan;
    }
    StockEntry entry;
    entry.quantity = get_le<std::int64_t>(payload.data() + 1);
    entry.version = get_le<std::uint64_t>(payload.data() + 9);
    entry.updated_at_us = get_le<std::int64_t>(payload.data() + 17);
    const std::string_view id = payload.substr(kFixedPayload);
    if (id.empty() || entry.quantity < 0) {
      scan.problem = "a record with an invalid entry at byte " + byte(at);
      return scan;
    }
    visit(id, entry);
    at += 8 + len;
    scan.good_bytes = at;
    ++scan.records;
  }
  return scan;
}

std::filesystem::path default_state_root() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "inventory_store";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".local" / "state" / "inventory_store";
}

std::filesystem::path state_dir_for_queue(const std::filesystem::path& root, std::string_view queue) {
  std::string name;
  for (char c : queue) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_' || c == '-' || (c == '.' && !name.empty())) {
      name += c;
    } else {
      static const char* hex = "0123456789ABCDEF";
      name += '%';
      name += hex[u >> 4];
      name += hex[u & 0xF];
    }
  }
  return root / name;
}

StateStore::StateStore(std::filesystem::path dir, Inventory& inventory, LoadReport& report) : dir_(std::move(dir)) {
  try {
    open_and_load(inventory, report);
  } catch (...) {
    // The destructor does not run for a constructor that throws: release the lock here.
    if (journal_fd_ >= 0) ::close(journal_fd_);
    if (lock_fd_ >= 0) ::close(lock_fd_);
    throw;
  }
}

void StateStore::open_and_load(Inventory& inventory, LoadReport& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw StateError("cannot create state directory " + dir_.string() + ": " + ec.message());

  const auto lock_path = dir_ / "lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) fail("cannot open " + lock_path.string());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder = read_file(lock_path);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw StateError("state directory " + dir_.string() + " is in use by another store_service" +
                     (holder.empty() ? std::string() : " (pid " + holder + ")") +
                     ": stop that one, or give this one its own --state-dir, or run it with --no-state");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) == 0) ::pwrite(lock_fd_, pid.data(), pid.size(), 0);

  const auto restore = [&](std::string_view id, const StockEntry& e) { replay(inventory, id, e); };
  std::uint64_t snapshot_size = 0;
  const RecordScan snap = scan_file(dir_ / "snapshot", kSnapshotMagic, restore, snapshot_size);
  report.snapshot_records = snap.records;
  snapshot_bytes_ = snapshot_size;
  if (!snap.problem.empty())
    report.warning = "the snapshot in " + dir_.string() + " is damaged (" + snap.problem + "); kept the " +
                     std::to_string(snap.records) + " records before it";

  const auto journal_path = dir_ / "journal";
  std::uint64_t journal_size = 0;
  const RecordScan jr = scan_file(journal_path, kJournalMagic, restore, journal_size);
  report.journal_records = jr.records;
  if (!jr.problem.empty()) {
    const std::uint64_t dropped = journal_size - jr.good_bytes;
    std::string what = "dropped " + std::to_string(dropped) + " byte(s) at the end of the journal (" + jr.problem +
                       "): the last write was cut short; every acked update is before it";
    report.warning = report.warning.empty() ? what : report.warning + "; " + what;
  }
  report.products = inventory.size();

  // Start every run from a fresh snapshot and an empty journal: replay stays short
  // and a torn tail is gone for good.
  if (jr.records > 0 || !jr.problem.empty() || !snap.problem.empty() || journal_size == 0) {
    write_snapshot(inventory);
    const int fd = ::open(journal_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create " + journal_path.string());
    write_all(fd, kJournalMagic, journal_path);
    if (::fdatasync(fd) != 0) fail("cannot sync " + journal_path.string());
    ::close(fd);
    sync_dir(dir_);
  }
  open_journal_for_append();
}

StateStore::~StateStore() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

void StateStore::open_journal_for_append() {
  const auto path = dir_ / "journal";
  journal_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (journal_fd_ < 0) fail("cannot open " + path.string());
  struct stat st{};
  if (::fstat(journal_fd_, &st) != 0) fail("cannot stat " + path.string());
  journal_bytes_ = static_cast<std::uint64_t>(st.st_size);
}

void StateStore::append(std::string_view product_id, const StockEntry& entry) {
  append_record(pending_, product_id, entry);
}

void StateStore::sync() {
  if (pending_.empty()) return;
  write_all(journal_fd_, pending_, dir_ / "journal");
  if (::fdatasync(journal_fd_) != 0) fail("cannot sync " + (dir_ / "journal").string());
  journal_bytes_ += pending_.size();
  pending_.clear();
  ++syncs_;
}

bool StateStore::wants_compaction() const {
  return journal_bytes_ > std::max<std::uint64_t>(kMinCompactBytes, snapshot_bytes_);
}

void StateStore::compact(const Inventory& inventory) {
  sync();
  if (journal_bytes_ <= kJournalMagic.size()) return;  // the snapshot already says it all
  write_snapshot(inventory);
  if (::ftruncate(journal_fd_, 0) != 0) fail("cannot truncate " + (dir_ / "journal").string());
  write_all(journal_fd_, kJournalMagic, dir_ / "journal");
  if (::fdatasync(journal_fd_) != 0) fail("cannot sync " + (dir_ / "journal").string());
  journal_bytes_ = kJournalMagic.size();
}

void StateStore::write_snapshot(const Inventory& inventory) {
  const auto tmp = dir_ / "snapshot.tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create " + tmp.string());
  std::string buffer(kSnapshotMagic);
  std::uint64_t total = 0;
  try {
    inventory.for_each([&](const std::string& id, const StockEntry& entry) {
      append_record(buffer, id, entry);
      if (buffer.size() >= (1u << 20)) {
        write_all(fd, buffer, tmp);
        total += buffer.size();
        buffer.clear();
      }
    });
    write_all(fd, buffer, tmp);
    total += buffer.size();
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot sync " + tmp.string());
  }
  ::close(fd);
  if (::rename(tmp.c_str(), (dir_ / "snapshot").c_str()) != 0) fail("cannot replace " + (dir_ / "snapshot").string());
  sync_dir(dir_);
  snapshot_bytes_ = total;
}

}  // namespace inventory
