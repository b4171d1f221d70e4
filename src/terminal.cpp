#include "inventory/terminal.hpp"

#include <editline/readline.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) break;
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
//
// libedit's callback interface (rl_callback_read_char) runs one editing command
// per call, and every character it reads comes from read_key below. That is
// where the terminal thread waits: on the keyboard, the signalfd, and the pipe
// that log lines from other threads ring. Between commands read_key hands
// libedit keys of its own: kRedrawKey prints log lines above the prompt (or
// acts on Ctrl-C), Ctrl-U empties the line. So a log line or a signal is handled
// even while a Ctrl-R search waits for keys, and keys that libedit pushes back
// to itself (the Enter that ends a search) run at once.

namespace {

constexpr int kRedrawKey = '\\' & 0x1f;   // Ctrl-\: the terminal turns it into SIGQUIT, no one types it
constexpr int kKillLineKey = 'U' & 0x1f;  // Ctrl-U, bound to em-kill-line
constexpr int kAbortKey = 'G' & 0x1f;     // Ctrl-G: leaves an incremental search

// libedit's callback interface takes plain functions: this is their context,
// alive for the duration of run_interactive.
struct Session {
  const Console* console = nullptr;
  SignalWatch* signals = nullptr;
  int term_fd = STDOUT_FILENO;  // where the prompt and the line being typed are drawn
  int wake_fd = -1;
  std::size_t prompt_width = 0;

  std::mutex pending_mutex;
  std::deque<std::string> pending;  // log lines not printed yet

  bool quit = false;
  bool line_done = false;    // a line was handled: the prompt must be shown again
  bool at_command = false;   // libedit waits for the first key of an editing command
  bool interrupted = false;  // Ctrl-C not acted on yet
  bool resized = false;
  std::deque<int> keys;  // our own keys for libedit, before anything typed
  std::string last_history;
  std::string out;

  // Bytes read from the terminal and not yet handed to libedit, decoded in this
  // thread's locale (UTF-8: product ids are UTF-8).
  char in[256];
  std::size_t in_pos = 0, in_len = 0;
  std::mbstate_t in_state{};
};
Session* g_session = nullptr;

std::string cursor_move(int count, char direction) {
  return count > 0 ? "\033[" + std::to_string(count) + direction : "";
}

void on_line(char* line) {
  Session& s = *g_session;
  if (!line) {  // Ctrl-D on an empty line: libedit shows it as ^D after the prompt; rub that out
    s.quit = true;
    write_all(s.term_fd, "\r" + cursor_move(static_cast<int>(s.prompt_width), 'C') + "\033[K\n");
    return;
  }
  s.line_done = true;
  std::string_view text(line);
  s.out.clear();
  const bool more = s.console->run(text, s.out);
  // History keeps what was asked, not how the session ended, and no repeats.
  if (more && text.find_first_not_of(" \t") != std::string_view::npos && text != s.last_history) {
    add_history(line);
    s.last_history = text;
  }
  if (!more) s.quit = true;
  write_all(STDOUT_FILENO, s.out);
  std::free(line);
}

// Columns `text` takes on screen (libedit shows a control character as ^X).
std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  std::mbstate_t state{};
  for (std::size_t i = 0; i < text.size();) {
    wchar_t wc = 0;
    const std::size_t n = std::mbrtowc(&wc, text.data() + i, text.size() - i, &state);
    if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2) || n == 0) {
      state = {};
      ++i;
      ++width;
      continue;
    }
    const int w = ::wcwidth(wc);
    width += w < 0 ? 2 : static_cast<std::size_t>(w);
    i += n;
  }
  return width;
}

// kRedrawKey's command. libedit runs it between two editing commands with
// rl_line_buffer, rl_point and rl_end up to date, so we know which screen row
// the cursor is on and where the prompt and the line being typed start.
int redraw_command(int, int) {
  Session& s = *g_session;
  const bool interrupted = std::exchange(s.interrupted, false);
  std::deque<std::string> lines;
  {
    std::lock_guard lock(s.pending_mutex);
    lines.swap(s.pending);
  }
  if (!interrupted && lines.empty()) return 0;

  int rows = 0, cols = 0;
  rl_get_screen_size(&rows, &cols);
  cols = std::max(cols, 1);
  const std::string_view line(rl_line_buffer ? rl_line_buffer : "");
  const std::size_t point = std::min(line.size(), static_cast<std::size_t>(std::max(rl_point, 0)));
  const std::size_t to_cursor = s.prompt_width + display_width(line.substr(0, point));
  const std::size_t to_end = s.prompt_width + display_width(line);
  const int cursor_row = static_cast<int>(to_cursor / static_cast<std::size_t>(cols));
  const int end_row = static_cast<int>(to_end / static_cast<std::size_t>(cols));

  std::string text;
  for (const auto& entry : lines) text += entry + "\n";
  if (interrupted) {
    // Ctrl-C: leave what was typed on screen with ^C after it, start an empty
    // line below (the text goes to the kill buffer: Ctrl-Y brings it back).
    write_all(s.term_fd, cursor_move(end_row - cursor_row, 'B') + "\r" +
                             cursor_move(static_cast<int>(to_end % static_cast<std::size_t>(cols)), 'C') + "^C\r\n");
    write_all(STDERR_FILENO, text);
    rl_forced_update_display();      // libedit draws the line anew from this row...
    s.keys.push_back(kKillLineKey);  // ...and the next key empties it
    return 0;
  }
  // Log lines: clear from where the prompt starts, print them, redraw the
  // prompt and what was typed, cursor where it was.
  write_all(s.term_fd, "\r" + cursor_move(cursor_row, 'A') + "\033[J");
  write_all(STDERR_FILENO, text);
  rl_forced_update_display();
  return 0;
}

bool log_lines_waiting(Session& s) {
  std::lock_guard lock(s.pending_mutex);
  return !s.pending.empty();
}

// The next character of what was typed, or nullopt when more bytes are needed.
std::optional<int> decode_key(Session& s) {
  while (s.in_pos < s.in_len) {
    wchar_t wc = 0;
    const std::size_t n = std::mbrtowc(&wc, s.in + s.in_pos, s.in_len - s.in_pos, &s.in_state);
    if (n == static_cast<std::size_t>(-2)) break;  // an incomplete character: its bytes are in in_state
    if (n == static_cast<std::size_t>(-1)) {       // not a character: drop the byte, as libedit does
      s.in_state = {};
      ++s.in_pos;
      continue;
    }
    s.in_pos += n == 0 ? 1 : n;
    return static_cast<int>(wc);
  }
  s.in_pos = s.in_len = 0;
  return std::nullopt;
}

// rl_getc_function: the next key for libedit, a character code (or EOF to end).
int read_key(FILE*) {
  Session& s = *g_session;
  const bool at_command = std::exchange(s.at_command, false);
  for (;;) {
    if (s.quit) return EOF;
    // Between editing commands the line on screen is whole: the moment to print
    // log lines or act on a signal. Mid-command (a Ctrl-R search, an escape
    // sequence) they wait for the command to end.
    if (at_command) {
      if (!s.keys.empty()) {
        const int key = s.keys.front();
        s.keys.pop_front();
        return key;
      }
      if (s.resized) {
        s.resized = false;
        rl_resize_terminal();
      }
      if (s.interrupted || log_lines_waiting(s)) return kRedrawKey;
    }
    if (auto key = decode_key(s)) return *key;

    pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {s.signals->fd(), POLLIN, 0}, {s.wake_fd, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      s.quit = true;
      return EOF;
    }
    if (fds[2].revents & POLLIN) {
      char drain[64];
      while (::read(s.wake_fd, drain, sizeof drain) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) {
      const int sig = s.signals->take();
      if (sig == SIGTERM || sig == SIGHUP) {
        s.quit = true;
        write_all(s.term_fd, "\n");
        return EOF;
      }
      if (sig == SIGWINCH) s.resized = true;
      if (sig == SIGINT) {
        s.interrupted = true;
        if (!at_command) return kAbortKey;  // ends a search; the line is cleared right after
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::read(STDIN_FILENO, s.in, sizeof s.in);
      if (n > 0) {
        s.in_pos = 0;
        s.in_len = static_cast<std::size_t>(n);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        s.quit = true;  // the terminal went away
        return EOF;
      }
    }
  }
}

char* completion_entry(const char* text, int state) {
  static std::vector<std::string> matches;
  static std::size_t next = 0;
  if (state == 0) {
    // The line up to the word being completed, in bytes: rl_point is up to date
    // while completing (libedit's `start` counts characters, not bytes).
    std::string_view line(rl_line_buffer ? rl_line_buffer : "");
    const std::size_t point = std::min(line.size(), static_cast<std::size_t>(std::max(rl_point, 0)));
    const std::size_t word = std::min(point, std::strlen(text));
    matches = g_session->console->complete(line.substr(0, point - word), text);
    next = 0;
  }
  if (next >= matches.size()) return nullptr;
  return strdup(matches[next++].c_str());
}

char** complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  return rl_completion_matches(text, completion_entry);
}

// libedit decodes and draws what is typed in the thread's locale. Product ids are
// UTF-8: use the user's locale if it is UTF-8, else C.UTF-8, for this thread only
// (the process locale, which other threads read, stays as it is).
class Utf8ForThisThread {
 public:
  Utf8ForThisThread() {
    locale_ = ::newlocale(LC_CTYPE_MASK, "", static_cast<locale_t>(0));
    if (!locale_ || std::strcmp(::nl_langinfo_l(CODESET, locale_), "UTF-8") != 0) {
      if (locale_) ::freelocale(locale_);
      locale_ = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    }
    if (locale_) previous_ = ::uselocale(locale_);
  }
  ~Utf8ForThisThread() {
    if (!locale_) return;
    ::uselocale(previous_);
    ::freelocale(locale_);
  }
  Utf8ForThisThread(const Utf8ForThisThread&) = delete;
  Utf8ForThisThread& operator=(const Utf8ForThisThread&) = delete;

 private:
  locale_t locale_ = static_cast<locale_t>(0);
  locale_t previous_ = static_cast<locale_t>(0);
};

}  // namespace

int run_interactive(const Console& console, SignalWatch& signals, Log& log, const TerminalSettings& settings) {
  // The prompt and the line being typed go to the terminal: stdout, or stderr
  // when stdout is a file or a pipe (answers still go to stdout). Neither a
  // terminal: nothing to draw on, answer like a script.
  const bool out_tty = ::isatty(STDOUT_FILENO) != 0;
  const bool err_tty = ::isatty(STDERR_FILENO) != 0;
  if (!::isatty(STDIN_FILENO) || (!out_tty && !err_tty)) return run_piped(console, signals);

  Session session;
  session.console = &console;
  session.signals = &signals;
  session.term_fd = out_tty ? STDOUT_FILENO : STDERR_FILENO;
  g_session = &session;

  // Log lines from other threads wait in `pending` until the terminal thread
  // prints them above the prompt; a pipe wakes it. When stderr is not the
  // terminal they go there directly, nothing to redraw.
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  session.wake_fd = wake[0];
  if (err_tty) {
    log.set_sink([&session, fd = wake[1]](LogLevel, std::string_view line) {
      {
        std::lock_guard lock(session.pending_mutex);
        session.pending.emplace_back(line);
      }
      const char byte = 1;
      (void)!::write(fd, &byte, 1);
    });
  }

  Utf8ForThisThread utf8;
  rl_instream = stdin;
  rl_outstream = out_tty ? stdout : stderr;
  rl_getc_function = read_key;  // before libedit initialises (using_history does)
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  using_history();
  stifle_history(1000);
  if (!settings.history_file.empty()) read_history(settings.history_file.c_str());
  rl_attempted_completion_function = complete;
  rl_completion_append_character = ' ';
  rl_completion_query_items = 1000;  // list every candidate (at most ~200), never ask y/n
  static char word_breaks[] = " \t\n";  // ids may hold any other character
  rl_basic_word_break_characters = word_breaks;
  rl_completer_word_break_characters = word_breaks;
  rl_parse_and_bind("bind ^U em-kill-line");
  rl_parse_and_bind("bind ^R em-inc-search-prev");
  rl_add_defun("store-redraw", redraw_command, kRedrawKey);
  session.prompt_width = display_width(settings.prompt);
  rl_callback_handler_install(settings.prompt.c_str(), on_line);

  while (!session.quit) {
    session.at_command = true;
    rl_callback_read_char();
    if (session.line_done && !session.quit) {
      // libedit shows the next prompt only on the next key: show it now.
      session.line_done = false;
      rl_callback_handler_install(settings.prompt.c_str(), on_line);
    }
  }

  rl_callback_handler_remove();
  if (!settings.history_file.empty()) write_history(settings.history_file.c_str());
  log.set_sink({});
  {
    // Lines logged after the last key (the link dropping as we leave, say).
    std::lock_guard lock(session.pending_mutex);
    std::string text;
    for (const auto& line : session.pending) text += line + "\n";
    write_all(STDERR_FILENO, text);
  }
  ::close(wake[0]);
  ::close(wake[1]);
  g_session = nullptr;
  return 0;
}

}  // namespace inventory
