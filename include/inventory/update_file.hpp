// A file of updates for `inventory_publisher --file`: JSON Lines (one message
// object a line) or CSV (product_id,quantity[,version], optional header),
// detected by content and read a line at a time, so memory stays flat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "inventory/update.hpp"

namespace inventory {

enum class FileFormat { kUnknown, kJsonLines, kCsv };
std::string_view to_string(FileFormat format);

// Turns one line into an update or says why it cannot be one. Stateful only in
// its format, which the first non-blank line decides ('{' means JSON Lines).
class UpdateLineParser {
 public:
  struct Result {
    enum class Kind { kUpdate, kSkip, kRejected } kind = Kind::kSkip;
    InventoryUpdate update;
    std::string error;
  };

  // `line` without its '\n' (a trailing '\r' is dropped).
  Result parse(std::string_view line);
  FileFormat format() const { return format_; }

 private:
  Result parse_csv(std::string_view line);
  FileFormat format_ = FileFormat::kUnknown;
  bool first_csv_line_ = true;
  bool csv_has_version_ = false;
  InventoryUpdate scratch_;
};

// Reads lines from a file descriptor in large chunks.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // The next line without its '\n'; nullopt at the end. Throws std::runtime_error on a read error.
  std::optional<std::string_view> next();
  std::uint64_t bytes_read() const { return consumed_; }

 private:
  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;
  bool eof_ = false;
  std::uint64_t consumed_ = 0;
};

}  // namespace inventory
