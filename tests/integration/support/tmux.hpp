// A program in a real terminal: a tmux server of its own (socket in the test's
// directory), one fixed-size window, keys in and the screen out. Tests wait on
// what the screen shows, never on the clock.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace testing_support {

// What the window shows: one string a row, wrapped rows joined, trailing blanks
// and blank rows at the bottom dropped.
struct Screen {
  std::vector<std::string> lines;

  std::string text() const;                            // rows joined with '\n'
  bool has(const std::string& needle) const;           // somewhere on screen
  std::size_t count(const std::string& needle) const;  // how many times
  std::string last() const;                            // the bottom row (the prompt)
  std::string from_bottom(std::size_t n) const;        // 0 = last, 1 = the one above...
};

class TmuxTerminal {
 public:
  static bool available();  // tmux installed

  // Runs `shell_command` (bash) in a width x height window, which keeps showing
  // what it printed once it has ended.
  TmuxTerminal(const std::filesystem::path& dir, const std::string& shell_command, int width = 120,
               int height = 40);
  ~TmuxTerminal();  // kills the server and whatever still runs in it
  TmuxTerminal(const TmuxTerminal&) = delete;
  TmuxTerminal& operator=(const TmuxTerminal&) = delete;

  void type(const std::string& text);                   // literally, as typed
  void press(std::initializer_list<std::string> keys);  // tmux key names: Enter, Up, Tab, C-r...

  Screen screen() const;
  std::string screen_with_escapes() const;  // colours and attributes as ANSI sequences
  struct Cursor {
    int x = -1, y = -1;
  };
  Cursor cursor() const;

  // Polls the screen until `condition` holds; the last screen seen goes to `seen`.
  bool wait_until(const std::function<bool(const Screen&)>& condition,
                  std::chrono::milliseconds timeout = 10s, Screen* seen = nullptr) const;
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout = 10s) const;
  // The program's exit status once it has ended, or nullopt if it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 10s) const;

 private:
  RunResult tmux(std::vector<std::string> args) const;
  std::string socket_;
  std::string status_file_;  // the program's exit status, written when it ends
};

// `text` quoted for sh.
std::string shell_quote(const std::string& text);

}  // namespace testing_support
