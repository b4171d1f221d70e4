#include "inventory/log.hpp"

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace inventory {

Log::~Log() {
  if (file_) std::fclose(file_);
}

void Log::set_level(LogLevel level) {
  std::lock_guard lock(mutex_);
  level_ = level;
}

bool Log::enabled(LogLevel level) const {
  std::lock_guard lock(mutex_);
  return level <= level_;
}

void Log::set_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw std::runtime_error("cannot open log file '" + path + "' for appending");
  std::lock_guard lock(mutex_);
  if (file_) std::fclose(file_);
  file_ = f;
}

void Log::set_sink(Sink sink) {
  std::lock_guard lock(mutex_);
  sink_ = std::move(sink);
}

void Log::write(LogLevel level, std::string_view message) {
  std::lock_guard lock(mutex_);
  if (level > level_) return;
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &local);
  std::string line;
  line.reserve(message.size() + 48);
  line += stamp;
  line += ' ';
  line += program_;
  line += ": ";
  if (level == LogLevel::kError) line += "error: ";
  if (level == LogLevel::kWarning) line += "warning: ";
  line += message;
  if (file_) {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  } else if (sink_) {
    sink_(level, line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
}

std::string format_age(std::int64_t us) {
  if (us < 0) us = 0;
  std::int64_t s = us / 1'000'000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d " + std::to_string(s % 86400 / 3600) + "h";
}

}  // namespace inventory
