#include "inventory/update_file.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace inventory {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits one CSV record: fields may be "quoted", with "" for a quote inside.
// Returns false (and a reason) for an unterminated quote or text after one.
bool split_csv(std::string_view line, std::string fields[3], std::size_t& count, std::string& error) {
  count = 0;
  std::size_t i = 0;
  for (;;) {
    if (count == 3) {
      error = "more than 3 fields (expected product_id,quantity[,version])";
      return false;
    }
    std::string& field = fields[count++];
    field.clear();
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) {
          error = "unterminated quote";
          return false;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') {
        error = "text after a closing quote";
        return false;
      }
    } else {
      const std::size_t comma = line.find(',', i);
      field = trim(line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i));
      i = comma == std::string_view::npos ? line.size() : comma;
    }
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

}  // namespace

std::string_view to_string(FileFormat format) {
  switch (format) {
    case FileFormat::kJsonLines: return "JSON Lines";
    case FileFormat::kCsv: return "CSV";
    case FileFormat::kUnknown: return "empty";
  }
  return "unknown";
}

UpdateLineParser::Result UpdateLineParser::parse(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::string_view content = trim(line);
  Result r;
  if (content.empty()) return r;  // blank lines are not updates
  if (format_ == FileFormat::kUnknown) format_ = content.front() == '{' ? FileFormat::kJsonLines : FileFormat::kCsv;
  if (format_ == FileFormat::kCsv) return parse_csv(content);

  ParsedUpdate parsed = parse_update(content);
  if (!parsed) {
    r.kind = Result::Kind::kRejected;
    r.error = std::move(parsed.error);
    return r;
  }
  r.kind = Result::Kind::kUpdate;
  r.update = std::move(*parsed.update);
  return r;
}

UpdateLineParser::Result UpdateLineParser::parse_csv(std::string_view line) {
  Result r;
  std::string fields[3];
  std::size_t count = 0;
  std::string error;
  const bool split = split_csv(line, fields, count, error);
  if (first_csv_line_) {
    first_csv_line_ = false;
    if (split && count >= 2 && lower(fields[0]) == "product_id" && lower(fields[1]) == "quantity" &&
        (count == 2 || lower(fields[2]) == "version")) {
      csv_has_version_ = count == 3;
      return r;  // the header
    }
  }
  r.kind = Result::Kind::kRejected;
  if (!split) {
    r.error = error;
    return r;
  }
  if (count < 2) {
    r.error = "expected product_id,quantity";
    return r;
  }
  if (auto problem = product_id_problem(fields[0])) {
    r.error = *problem;
    return r;
  }
  const auto quantity = parse_decimal_int64(fields[1]);
  if (!quantity || *quantity < 0) {
    r.error = "quantity must be a whole number from 0 to 2^63-1, not '" + fields[1] + "'";
    return r;
  }
  std::optional<std::uint64_t> version;
  if (count == 3 && !fields[2].empty()) {
    version = parse_decimal_uint64(fields[2]);
    if (!version) {
      r.error = "version must be a whole number 0 or more, not '" + fields[2] + "'";
      return r;
    }
  }
  r.kind = Result::Kind::kUpdate;
  r.update = InventoryUpdate{std::move(fields[0]), *quantity, version};
  return r;
}

std::optional<std::string_view> LineReader::next() {
  for (;;) {
    const std::size_t nl = buffer_.find('\n', start_);
    if (nl != std::string::npos) {
      std::string_view line(buffer_.data() + start_, nl - start_);
      consumed_ += nl + 1 - start_;
      start_ = nl + 1;
      return line;
    }
    if (eof_) {
      if (start_ >= buffer_.size()) return std::nullopt;
      std::string_view line(buffer_.data() + start_, buffer_.size() - start_);
      consumed_ += buffer_.size() - start_;
      start_ = buffer_.size();
      return line;
    }
    // Keep the partial line, read more behind it.
    buffer_.erase(0, start_);
    start_ = 0;
    const std::size_t have = buffer_.size();
    const std::size_t chunk = 1 << 16;
    buffer_.resize(have + chunk);
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.data() + have, chunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
    buffer_.resize(have + static_cast<std::size_t>(n));
    if (n == 0) eof_ = true;
  }
}

}  // namespace inventory
