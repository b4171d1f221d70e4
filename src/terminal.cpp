#include "inventory/terminal.hpp"

#include <editline/readline.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>

namespace inventory {
namespace {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE: the reader went away
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

// ---- SignalWatch -------------------------------------------------------------

SignalWatch::SignalWatch() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGWINCH);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) throw std::runtime_error("cannot block signals");
  fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  ::signal(SIGPIPE, SIG_IGN);
}

SignalWatch::~SignalWatch() {
  if (fd_ >= 0) ::close(fd_);
}

int SignalWatch::take() {
  signalfd_siginfo info{};
  const ssize_t n = ::read(fd_, &info, sizeof info);
  return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

// ---- Pipes -------------------------------------------------------------------

int run_piped(const Console& console, SignalWatch& signals) {
  std::string in;
  std::string out;
  in.reserve(1 << 16);
  out.reserve(1 << 16);
  char buf[1 << 16];
  pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signals.fd(), POLLIN, 0}};
  bool more = true;
  while (more) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      const int sig = signals.take();
      if (sig == SIGINT || sig == SIGTERM) break;
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return 1;
    }
    if (n == 0) {
      if (!in.empty()) in += '\n';  // a last line without its newline still counts
      more = false;
    } else {
      in.append(buf, static_cast<std::size_t>(n));
    }
    // Answer every complete line we have, then write them in one go: fast for a
    // stream of queries, and a script that sends one line and waits still gets
    // its answer at once.
    std::size_t start = 0;
    for (std::size_t nl; (nl = in.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (!console.run(std::string_view(in).substr(start, nl - start), out)) {
        more = false;
        start = nl + 1;
        break;
      }
    }
    in.erase(0, start);
    if (!out.empty()) {
      if (!write_all(STDOUT_FILENO, out)) return 0;
      out.clear();
    }
  }
  return 0;
}

// ---- Terminals (libedit) -------------------------------------------------------

namespace {

// libedit's callback interface takes plain functions: this is their context,
// alive for the duration of run_interactive.
struct Session {
  const Console* console = nullptr;
  bool quit = false;
  bool line_done = false;    // a line was handled: the prompt must be shown again
  std::size_t word_start = 0;  // where the word being completed starts
  std::string out;
};
Session* g_session = nullptr;

void on_line(char* line) {
  Session& s = *g_session;
  if (!line) {  // Ctrl-D on an empty line
    s.quit = true;
    write_all(STDOUT_FILENO, "\n");
    return;
  }
  s.line_done = true;
  std::string_view text(line);
  if (text.find_first_not_of(" \t") != std::string_view::npos) add_history(line);
  s.out.clear();
  if (!s.console->run(text, s.out)) s.quit = true;
  write_all(STDOUT_FILENO, s.out);
  std::free(line);
}

char* completion_entry(const char* text, int state) {
  static std::vector<std::string> matches;
  static std::size_t next = 0;
  if (state == 0) {
    std::string_view line(rl_line_buffer ? rl_line_buffer : "");
    const std::size_t word_start = std::min(g_session->word_start, line.size());
    matches = g_session->console->complete(line.substr(0, word_start), text);
    next = 0;
  }
  if (next >= matches.size()) return nullptr;
  return strdup(matches[next++].c_str());
}

char** complete(const char* text, int start, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  g_session->word_start = start < 0 ? 0 : static_cast<std::size_t>(start);
  return rl_completion_matches(text, completion_entry);
}

}  // namespace

int run_interactive(const Console& console, SignalWatch& signals, Log& log, const TerminalSettings& settings) {
  Session session;
  session.console = &console;
  g_session = &session;

  // Log lines from other threads wait here until the terminal thread prints them
  // above the prompt; a pipe wakes the poll loop.
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  std::mutex pending_mutex;
  std::deque<std::string> pending;
  log.set_sink([&](LogLevel, std::string_view line) {
    {
      std::lock_guard lock(pending_mutex);
      pending.emplace_back(line);
    }
    const char byte = 1;
    (void)!::write(wake[1], &byte, 1);
  });

  rl_catch_signals = 0;
  rl_attempted_completion_function = complete;
  rl_completion_append_character = ' ';
  using_history();
  stifle_history(1000);
  if (!settings.history_file.empty()) read_history(settings.history_file.c_str());
  rl_callback_handler_install(settings.prompt.c_str(), on_line);

  pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {signals.fd(), POLLIN, 0}, {wake[0], POLLIN, 0}};
  while (!session.quit) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents & POLLIN) {
      char drain[64];
      while (::read(wake[0], drain, sizeof drain) > 0) {
      }
      std::deque<std::string> lines;
      {
        std::lock_guard lock(pending_mutex);
        lines.swap(pending);
      }
      // Clear the line being typed, print the log lines, then redraw the prompt
      // and what was typed, cursor where it was.
      std::string text = "\r\033[K";
      for (const auto& line : lines) text += line + "\n";
      write_all(STDERR_FILENO, text);
      rl_forced_update_display();
    }
    if (fds[1].revents & POLLIN) {
      const int sig = signals.take();
      if (sig == SIGTERM) break;
      if (sig == SIGWINCH) rl_resize_terminal();
      if (sig == SIGINT) {  // Ctrl-C: drop what was typed, fresh prompt
        rl_replace_line("", 0);
        write_all(STDOUT_FILENO, "^C\n");
        rl_on_new_line();
        rl_forced_update_display();
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      rl_callback_read_char();
      if (session.line_done && !session.quit) {
        // libedit shows the next prompt only on the next key: show it now.
        session.line_done = false;
        rl_callback_handler_install(settings.prompt.c_str(), on_line);
      }
      if (fds[0].revents & (POLLHUP | POLLERR) && !(fds[0].revents & POLLIN)) break;
    }
  }

  rl_callback_handler_remove();
  if (!settings.history_file.empty()) write_history(settings.history_file.c_str());
  log.set_sink({});
  ::close(wake[0]);
  ::close(wake[1]);
  g_session = nullptr;
  return 0;
}

}  // namespace inventory
