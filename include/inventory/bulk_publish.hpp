// `inventory_publisher --file`: every good line published with confirms
// pipelined through the window, bad lines skipped and reported by number,
// progress on a terminal, and a summary at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "inventory/publisher.hpp"
#include "inventory/update_file.hpp"

namespace inventory {

struct RejectedLine {
  std::uint64_t line = 0;
  std::string reason;
};

struct BulkReport {
  FileFormat format = FileFormat::kUnknown;
  std::uint64_t lines = 0;
  std::uint64_t sent = 0;
  std::uint64_t confirmed = 0;
  std::uint64_t nacked = 0;     // refused by the broker
  std::uint64_t returned = 0;   // no queue took it
  std::uint64_t rejected_count = 0;
  std::vector<RejectedLine> rejected;        // the first few, for the summary
  std::vector<std::uint64_t> failed_lines;   // nacked or returned, the first few
  std::string link_error;                    // set if the link failed midway
  double seconds = 0;

  int exit_code() const;  // SPEC 4: 0 / 1 / 3
  std::string summary(std::size_t max_listed = 20) const;
};

// Called now and then while publishing (for a progress bar).
using ProgressCallback = std::function<void(const BulkReport&, std::uint64_t bytes_read)>;

// Reads `fd` to the end. Stamps a version on updates that have none.
BulkReport publish_file(ConfirmedPublisher& publisher, int fd, const ProgressCallback& progress = {});

// "[#########.........] 45%  45,000 lines  44,800 confirmed  52,000/s"; total_bytes 0 = unknown.
std::string progress_line(const BulkReport& report, std::uint64_t bytes_read, std::uint64_t total_bytes,
                          std::size_t width);

}  // namespace inventory
