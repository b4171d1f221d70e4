#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace testing_support {

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe2 failed");
  // Build argv/envp before fork: the child only calls async-signal-safe functions.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : env) {
    if (v.empty()) merged.erase(k);
    else merged[k] = v;
  }
  std::vector<std::string> env_strings;
  for (auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    ::execve(args[0], args.data(), envp.data());
    const char msg[] = "exec failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  stdin_fd_ = in[1];
  out_thread_ = std::thread([this, fd = out[0]] { pump(fd, out_); });
  err_thread_ = std::thread([this, fd = err[0]] { pump(fd, err_); });
}

Process::~Process() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);
    wait_exit(10s);
  }
  close_stdin();
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

void Process::pump(int fd, std::string& sink) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    sink.append(buf, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
}

void Process::join_output() {
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

void Process::write_stdin(const std::string& text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(stdin_fd_, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("write to child stdin: ") + std::strerror(errno));
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Process::close_stdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

void Process::send_signal(int sig) { ::kill(pid_, sig); }

std::optional<std::size_t> Process::wait_in(const std::string& which, const std::string& needle,
                                            std::chrono::milliseconds timeout, std::size_t from) {
  std::unique_lock lock(mutex_);
  std::optional<std::size_t> found;
  changed_.wait_for(lock, timeout, [&] {
    const std::string& text = which == "out" ? out_ : err_;
    const auto at = from <= text.size() ? text.find(needle, from) : std::string::npos;
    if (at != std::string::npos) found = at + needle.size();
    return found.has_value();
  });
  return found;
}

std::optional<std::size_t> Process::wait_stdout(const std::string& needle, std::chrono::milliseconds timeout,
                                                std::size_t from) {
  return wait_in("out", needle, timeout, from);
}

std::optional<std::size_t> Process::wait_stderr(const std::string& needle, std::chrono::milliseconds timeout,
                                                std::size_t from) {
  return wait_in("err", needle, timeout, from);
}

bool Process::wait_stdout_until(const std::function<bool(const std::string&)>& pred,
                                std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return pred(out_); });
}

std::string Process::out() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string Process::err() const {
  std::lock_guard lock(mutex_);
  return err_;
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    rusage usage{};
    const pid_t r = ::wait4(pid_, &status, WNOHANG, &usage);
    if (r == pid_) {
      max_rss_kb_ = usage.ru_maxrss;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

RunResult run(std::vector<std::string> argv, std::map<std::string, std::string> env, const std::string& input,
              std::chrono::milliseconds timeout) {
  Process p(std::move(argv), std::move(env));
  if (!input.empty()) p.write_stdin(input);
  p.close_stdin();
  RunResult r;
  auto code = p.wait_exit(timeout);
  r.exit_code = code ? *code : -1;
  if (code) p.join_output();
  r.out = p.out();
  r.err = p.err();
  r.max_rss_kb = p.max_rss_kb();
  return r;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace testing_support
