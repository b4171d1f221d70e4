// A child process for end-to-end tests: argv and environment in, stdin/stdout/
// stderr as pipes, and waits on what it prints rather than on the clock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace testing_support {

using namespace std::chrono_literals;

class Process {
 public:
  // Starts `argv` with the test's environment plus `env` (a value of "" unsets).
  explicit Process(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void write_stdin(const std::string& text);
  void close_stdin();
  void send_signal(int sig);

  // Waits until stdout (or stderr) contains `needle` at or after `from`; returns
  // the offset just past it, or nullopt on timeout.
  std::optional<std::size_t> wait_stdout(const std::string& needle, std::chrono::milliseconds timeout = 20s,
                                         std::size_t from = 0);
  std::optional<std::size_t> wait_stderr(const std::string& needle, std::chrono::milliseconds timeout = 20s,
                                         std::size_t from = 0);
  // Waits until `pred(stdout)` holds.
  bool wait_stdout_until(const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds timeout);

  std::string out() const;
  std::string err() const;

  // After exit: waits until everything the child wrote has been read.
  void join_output();

  // Exit code (128+signal if killed), or nullopt if it did not exit in time.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 20s);
  // Peak resident memory of the child, known once it has exited.
  long max_rss_kb() const { return max_rss_kb_; }

 private:
  void pump(int fd, std::string& sink);
  std::optional<std::size_t> wait_in(const std::string& which, const std::string& needle,
                                     std::chrono::milliseconds timeout, std::size_t from);

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::optional<int> exit_code_;
  long max_rss_kb_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_, err_;
  std::thread out_thread_, err_thread_;
};

// Runs a command to completion: exit code, stdout and stderr.
struct RunResult {
  int exit_code = -1;
  std::string out, err;
  long max_rss_kb = 0;
};
RunResult run(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
              const std::string& input = "", std::chrono::milliseconds timeout = 60s);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s);

}  // namespace testing_support
