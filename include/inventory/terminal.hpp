// The store's foreground loop. A person at a terminal gets line editing,
// history, completion and log lines printed above the prompt (libedit); a
// script on a pipe gets one answer per line, no prompt, and exit 0 at EOF.
// Either way SIGINT/SIGTERM/SIGHUP arrive through a signalfd, never mid-write.
#pragma once

#include <filesystem>

#include "inventory/console.hpp"
#include "inventory/log.hpp"
#include "inventory/signal_watch.hpp"

namespace inventory {

struct TerminalSettings {
  std::filesystem::path history_file;  // empty: no history kept across runs
  std::string prompt = "store> ";
};

// Scripts: reads stdin to the end, answers each line. Returns the exit code.
int run_piped(const Console& console, SignalWatch& signals);

// People: a line editor on the terminal. Returns the exit code.
int run_interactive(const Console& console, SignalWatch& signals, Log& log, const TerminalSettings& settings);

}  // namespace inventory
