// The store's prompt language (SPEC 5): parse a line into a command, run it
// against the inventory, and write the answer. No I/O here: the terminal and
// pipe loops feed it lines and print what it returns.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/inventory.hpp"
#include "inventory/status.hpp"

namespace inventory {

enum class CommandKind { kNone, kCheck, kGet, kList, kStatus, kHelp, kQuit, kInvalid };

inline constexpr std::size_t kDefaultListLimit = 50;
inline constexpr std::array<std::string_view, 7> kCommandNames = {"check", "get",  "list", "status",
                                                                   "help",  "quit", "exit"};

struct Command {
  CommandKind kind = CommandKind::kNone;
  std::string_view product_id;  // check, get (a view into the line)
  std::int64_t quantity = 0;    // check
  std::string_view prefix;      // list
  std::size_t limit = kDefaultListLimit;
  std::string error;            // kInvalid: what is wrong, one line
};

// `check ID QTY`, bare `ID QTY`, `get ID`, `list [PREFIX] [-n N]`, `status`,
// `help`, `quit`/`exit`. A blank line is kNone.
Command parse_command(std::string_view line);

struct ConsoleStyle {
  bool colour = false;  // ANSI colour for answers (a terminal without NO_COLOR)
};

class Console {
 public:
  Console(const Inventory& inventory, const StoreStatus& status, ConsoleStyle style = {});

  // Runs one line and appends its answer, ending in '\n', to `out` (nothing for
  // a blank line). Returns false when the line asks to quit.
  bool run(std::string_view line, std::string& out) const;

  // Tab completion: candidates for the word under the cursor, given the line up
  // to the start of that word. Command names first, product ids after check/get.
  std::vector<std::string> complete(std::string_view line_before_word, std::string_view word) const;

 private:
  void answer_check(std::string_view product_id, std::int64_t asked, std::string& out) const;
  void answer_get(std::string_view product_id, std::string& out) const;
  void answer_list(std::string_view prefix, std::size_t limit, std::string& out) const;
  void answer_status(std::string& out) const;
  void answer_help(std::string& out) const;
  void paint(std::string& out, std::string_view text, const char* ansi) const;
  void stale_note(std::string& out) const;

  const Inventory& inventory_;
  const StoreStatus& status_;
  ConsoleStyle style_;
};

}  // namespace inventory
