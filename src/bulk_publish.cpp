#include "inventory/bulk_publish.hpp"

#include <algorithm>
#include <cstdio>

#include "inventory/errors.hpp"

namespace inventory {
namespace {

constexpr std::size_t kKeepRejected = 1000;

std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

int BulkReport::exit_code() const {
  if (!link_error.empty() || nacked > 0 || returned > 0) return static_cast<int>(ExitCode::kFailure);
  if (rejected_count > 0) return static_cast<int>(ExitCode::kPartial);
  return static_cast<int>(ExitCode::kOk);
}

std::string BulkReport::summary(std::size_t max_listed) const {
  const double rate = seconds > 0 ? static_cast<double>(confirmed) / seconds : 0;
  char timing[96];
  std::snprintf(timing, sizeof timing, " in %.2f s (%s updates/s)", seconds,
                thousands(static_cast<std::uint64_t>(rate)).c_str());
  std::string out = "sent " + thousands(sent) + ", confirmed " + thousands(confirmed);
  if (nacked) out += ", nacked " + thousands(nacked);
  if (returned) out += ", returned " + thousands(returned);
  out += ", rejected " + thousands(rejected_count) + " line" + (rejected_count == 1 ? "" : "s");
  out += " (" + std::string(to_string(format)) + ", " + thousands(lines) + " lines)" + timing + "\n";
  const std::size_t listed = std::min(max_listed, rejected.size());
  for (std::size_t i = 0; i < listed; ++i)
    out += "  line " + std::to_string(rejected[i].line) + ": " + rejected[i].reason + "\n";
  if (rejected_count > listed) out += "  ... and " + thousands(rejected_count - listed) + " more rejected lines\n";
  if (!failed_lines.empty()) {
    out += "  not stored by the broker (nacked or returned), lines:";
    for (std::size_t i = 0; i < std::min<std::size_t>(max_listed, failed_lines.size()); ++i)
    {
      out += ' ';  // appended piecewise: GCC 12 -O3 warns (-Wrestrict, a false positive) on " " + to_string
      out += std::to_string(failed_lines[i]);
    }
    if (nacked + returned > max_listed) out += " ...";
    out += "\n";
  }
  return out;
}

BulkReport publish_file(ConfirmedPublisher& publisher, int fd, const ProgressCallback& progress) {
  BulkReport report;
  const auto start = std::chrono::steady_clock::now();
  auto next_progress = start;
  const auto on_settled = [&](const ConfirmedPublisher::Settled& s) {
    switch (s.outcome) {
      case PublishOutcome::kConfirmed: ++report.confirmed; return;
      case PublishOutcome::kNacked: ++report.nacked; break;
      case PublishOutcome::kReturned: ++report.returned; break;
    }
    if (report.failed_lines.size() < kKeepRejected) report.failed_lines.push_back(s.context);
  };
  LineReader reader(fd);
  UpdateLineParser parser;
  try {
    while (auto line = reader.next()) {
      ++report.lines;
      UpdateLineParser::Result r = parser.parse(*line);
      if (r.kind == UpdateLineParser::Result::Kind::kSkip) continue;
      if (r.kind == UpdateLineParser::Result::Kind::kRejected) {
        ++report.rejected_count;
        if (report.rejected.size() < kKeepRejected) report.rejected.push_back({report.lines, std::move(r.error)});
        continue;
      }
      if (!r.update.version) r.update.version = next_version_stamp();
      publisher.publish(r.update, report.lines, on_settled);
      ++report.sent;
      if (progress && (report.sent & 1023) == 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_progress) {
          report.seconds = std::chrono::duration<double>(now - start).count();
          progress(report, reader.bytes_read());
          next_progress = now + std::chrono::milliseconds(100);
        }
      }
    }
    report.format = parser.format();
    publisher.wait_all(on_settled);
  } catch (const LinkLost& e) {
    report.format = parser.format();
    report.link_error = e.what();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress(report, reader.bytes_read());
  return report;
}

std::string progress_line(const BulkReport& report, std::uint64_t bytes_read, std::uint64_t total_bytes,
                          std::size_t width) {
  std::string out;
  if (total_bytes > 0) {
    const double done = std::min(1.0, static_cast<double>(bytes_read) / static_cast<double>(total_bytes));
    const std::size_t bar = width > 60 ? std::min<std::size_t>(30, width - 50) : 10;
    const auto filled = static_cast<std::size_t>(done * static_cast<double>(bar));
    out += '[';
    out.append(filled, '#');
    out.append(bar - filled, '.');
    out += "] ";
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(done * 100));
    out += pct;
    out += "  ";
  }
  const double rate = report.seconds > 0 ? static_cast<double>(report.confirmed) / report.seconds : 0;
  out += thousands(report.lines) + " lines  " + thousands(report.confirmed) + " confirmed  " +
         thousands(report.rejected_count) + " rejected  " + thousands(static_cast<std::uint64_t>(rate)) + "/s";
  if (out.size() > width && width > 0) out.resize(width);
  return out;
}

}  // namespace inventory
