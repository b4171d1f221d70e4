#include "support/tmux.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testing_support {
namespace {

std::string tmux_binary() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/tmux";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A socket per terminal: a new server never meets one that is still going away.
std::atomic<int> instances{0};

std::string rstrip(std::string line) {
  const auto end = line.find_last_not_of(' ');
  line.erase(end == std::string::npos ? 0 : end + 1);
  return line;
}

}  // namespace

std::string Screen::text() const {
  std::string all;
  for (const auto& line : lines) all += line + "\n";
  return all;
}

bool Screen::has(const std::string& needle) const {
  return text().find(needle) != std::string::npos;
}

std::size_t Screen::count(const std::string& needle) const {
  const std::string all = text();
  std::size_t n = 0;
  for (std::size_t at = all.find(needle); at != std::string::npos;
       at = all.find(needle, at + needle.size()))
    ++n;
  return n;
}

std::string Screen::last() const {
  return from_bottom(0);
}

std::string Screen::from_bottom(std::size_t n) const {
  return n < lines.size() ? lines[lines.size() - 1 - n] : "";
}

bool TmuxTerminal::available() {
  return !tmux_binary().empty();
}

TmuxTerminal::TmuxTerminal(const std::filesystem::path& dir, const std::string& shell_command,
                           int width, int height)
    : socket_((dir / ("tmux-" + std::to_string(++instances) + ".sock")).string()),
      status_file_((dir / ("tmux-" + std::to_string(instances) + ".status")).string()) {
  // The whole window for the program (no status line), kept on screen once it
  // has ended.
  const auto conf = dir / "tmux.conf";
  std::ofstream(conf) << "set -g status off\nset -g remain-on-exit on\nset -g history-limit 2000\n";
  // The exit status goes to a file: tmux 3.3 sometimes loses #{pane_dead_status}
  // when it is asked while the program ends. `set -m` puts the program in a
  // process group of its own, in the foreground: Ctrl-C reaches it and not bash.
  const std::string wrapped =
      "exec /bin/bash -c " +
      shell_quote("set -m; " + shell_command + "; echo $? > " + shell_quote(status_file_));
  const RunResult r = tmux({"-f", conf.string(), "new-session", "-d", "-s", "test", "-x",
                            std::to_string(width), "-y", std::to_string(height), wrapped});
  if (r.exit_code != 0) throw std::runtime_error("tmux new-session failed: " + r.err);
}

TmuxTerminal::~TmuxTerminal() {
  tmux({"kill-server"});
}

RunResult TmuxTerminal::tmux(std::vector<std::string> args) const {
  args.insert(args.begin(), {tmux_binary(), "-S", socket_});
  // A client of our own server only (not the one this test may run inside), in UTF-8.
  return run(args, {{"TMUX", ""}, {"LANG", "C.UTF-8"}, {"LC_ALL", ""}, {"LC_CTYPE", ""}}, "", 20s);
}

void TmuxTerminal::type(const std::string& text) {
  const RunResult r = tmux({"send-keys", "-t", "test", "-l", "--", text});
  if (r.exit_code != 0) throw std::runtime_error("tmux send-keys failed: " + r.err);
}

void TmuxTerminal::press(std::initializer_list<std::string> keys) {
  std::vector<std::string> args = {"send-keys", "-t", "test"};
  args.insert(args.end(), keys.begin(), keys.end());
  const RunResult r = tmux(args);
  if (r.exit_code != 0) throw std::runtime_error("tmux send-keys failed: " + r.err);
}

Screen TmuxTerminal::screen() const {
  const RunResult r = tmux({"capture-pane", "-p", "-J", "-t", "test"});
  Screen s;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) s.lines.push_back(rstrip(line));
  while (!s.lines.empty() && s.lines.back().empty()) s.lines.pop_back();
  return s;
}

std::string TmuxTerminal::screen_with_escapes() const {
  return tmux({"capture-pane", "-p", "-e", "-J", "-t", "test"}).out;
}

TmuxTerminal::Cursor TmuxTerminal::cursor() const {
  std::istringstream in(
      tmux({"display-message", "-p", "-t", "test", "#{cursor_x} #{cursor_y}"}).out);
  Cursor c;
  in >> c.x >> c.y;
  return c;
}

bool TmuxTerminal::wait_until(const std::function<bool(const Screen&)>& condition,
                              std::chrono::milliseconds timeout, Screen* seen) const {
  Screen last;
  const bool ok = eventually(
      [&] {
        last = screen();
        return condition(last);
      },
      timeout);
  if (seen) *seen = last;
  return ok;
}

bool TmuxTerminal::wait_for(const std::string& needle, std::chrono::milliseconds timeout) const {
  return wait_until([&](const Screen& s) { return s.has(needle); }, timeout);
}

std::optional<int> TmuxTerminal::wait_exit(std::chrono::milliseconds timeout) const {
  std::optional<int> status;
  eventually(
      [&] {
        std::ifstream in(status_file_);
        std::string line;
        if (std::getline(in, line) && !line.empty() &&
            line.find_first_not_of("0123456789") == std::string::npos)
          status = std::stoi(line);
        return status.has_value();
      },
      timeout);
  return status;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace testing_support
