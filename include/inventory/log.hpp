// Log lines from any thread: one line each, never interleaved, to stderr or a
// file. An interactive terminal installs a sink so lines land above its prompt.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace inventory {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

class Log {
 public:
  using Sink = std::function<void(LogLevel, std::string_view line)>;

  explicit Log(std::string program) : program_(std::move(program)) {}
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  void set_level(LogLevel level);
  // Appends to `path` instead of stderr. Throws std::runtime_error if it cannot open it.
  void set_file(const std::string& path);
  // Replaces stderr by `sink` (not the file); an empty sink restores stderr.
  void set_sink(Sink sink);

  void error(std::string_view message) { write(LogLevel::kError, message); }
  void warn(std::string_view message) { write(LogLevel::kWarning, message); }
  void info(std::string_view message) { write(LogLevel::kInfo, message); }
  void debug(std::string_view message) { write(LogLevel::kDebug, message); }
  bool enabled(LogLevel level) const;

  void write(LogLevel level, std::string_view message);

 private:
  std::string program_;
  mutable std::mutex mutex_;
  LogLevel level_ = LogLevel::kInfo;
  std::FILE* file_ = nullptr;
  Sink sink_;
};

// "3s", "4m 10s", "2h 5m", "3d 4h": how long ago, for people.
std::string format_age(std::int64_t microseconds);

}  // namespace inventory
