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

bool Screen::has(const std::string& needle) const { return text().find(needle) != std::string::npos; }

std::size_t Screen::count(const std::string& needle) const {
  const std::string all = text();
  std::size_t n = 0;
  for (std::size_t at = all.find(needle); at != std::string::npos; at = all.find(needle, at + needle.size())) ++n;
  return n;
}

std::string Screen::last() const { return from_bottom(0); }

std::string Screen::from_bottom(std::size_t n) const { return n < lines.size() ? lines[lines.size() - 1 - n] : ""; }

bool TmuxTerminal::available() { return !tmux_binary().empty(); }

TmuxTerminal::TmuxTerminal(const std::filesystem::path& dir, const std::string& shell_command, int width,
                           int height)
    : socket_((dir / ("tmux-" + std::to_string(++instances) + ".sock")).string()) {
  // The whole window for the program (no status line), and a dead program's
  // window kept so its exit status can be read.
  const auto conf = dir / "tmux.conf";
  std::ofstream(conf) << "set -g status off\nset -g remain-on-exit on\nset -g history-limit 2000\n";
  const RunResult r = tmux({"-f", conf.string(), "new-session", "-d", "-s", "test", "-x", std::to_string(width), "-y",
                            std::to_string(height), shell_command});
  if (r.exit_code != 0) throw std::runtime_error("tmux new-session failed: " + r.err);
}

TmuxTerminal::~TmuxTerminal() { tmux({"kill-server"}); }

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
  std::istringstream in(tmux({"display-message", "-p", "-t", "test", "#{cursor_x} #{cursor_y}"}).out);
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
        std::istringstream in(tmux({"display-message", "-p", "-t", "test", "#{pane_dead} #{pane_dead_status}"}).out);
        int dead = 0, code = -1;
        if (in >> dead >> code && dead == 1) status = code;
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
