// store_service: keeps a live inventory from the queue (consumer thread) while
// the foreground answers "is product X available in quantity N?".
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "inventory/console.hpp"
#include "inventory/consumer.hpp"
#include "inventory/errors.hpp"
#include "inventory/options.hpp"
#include "inventory/state.hpp"
#include "inventory/terminal.hpp"

using namespace inventory;

namespace {

constexpr const char* kProgram = "store_service";

struct StoreOptions {
  ConnectionOptions connection;
  double retry_interval_s = 5;
  int heartbeat_s = 30;
  int prefetch = 1000;
  std::optional<std::string> state_dir;
  bool no_state = false;
  std::optional<std::string> log_file;
  bool quiet = false;
  bool verbose = false;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Keep a live inventory from RabbitMQ and answer: is product X available in quantity N?",
               kProgram};
  StoreOptions o;
  add_connection_options(app, o.connection);
  app.add_option("--retry-interval", o.retry_interval_s, "Wait between reconnection attempts")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--heartbeat", o.heartbeat_s, "AMQP heartbeat; a broker silent for 2x this is dropped (0 = off)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  app.add_option("--prefetch", o.prefetch, "Unacked deliveries the broker may send ahead")
      ->type_name("N")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  auto* state_dir = app.add_option("--state-dir", o.state_dir,
                                   "Keep the inventory on disk here (one state per queue)\n"
                                   "(default: $XDG_STATE_HOME/inventory_store, else ~/.local/state/inventory_store)")
                        ->type_name("DIR");
  app.add_flag("--no-state", o.no_state, "Keep the inventory in memory only")->excludes(state_dir);
  app.add_option("--log-file", o.log_file, "Write log lines to FILE instead of stderr")->type_name("FILE");
  auto* quiet = app.add_flag("-q,--quiet", o.quiet, "Log only warnings and errors");
  app.add_flag("-v,--verbose", o.verbose, "Log more")->excludes(quiet);
  app.set_version_flag("--version", std::string(kProgram) + " " + INVENTORY_VERSION);
  app.footer(environment_help() +
             "  XDG_STATE_HOME where the state directory goes by default\n"
             "Exit codes:\n"
             "  0  quit, end of input, SIGINT, SIGTERM or SIGHUP\n"
             "  1  the state directory cannot be used (locked by another store, unreadable)\n"
             "  2  bad usage\n"
             "Examples:\n"
             "  store_service                       # prompt; type 'help'\n"
             "  echo 'check 42 5' | store_service   # one answer per line\n"
             "  store_service --url amqp://shop:secret@mq.example/shop --state-dir /var/lib/store\n");
  if (auto rc = parse_command_line(app, argc, argv)) return *rc;

  Log log(kProgram);
  try {
    SignalWatch signals;  // before any thread starts, so every thread inherits the mask
    if (o.quiet) log.set_level(LogLevel::kWarning);
    if (o.verbose) log.set_level(LogLevel::kDebug);
    if (o.log_file) log.set_file(*o.log_file);

    ConsumerSettings settings;
    settings.connection = make_connection_settings(o.connection, kProgram);
    settings.connection.heartbeat = std::chrono::seconds(o.heartbeat_s);
    settings.topology = make_topology(o.connection);
    settings.retry_interval = std::chrono::milliseconds(static_cast<long>(std::lround(o.retry_interval_s * 1000)));
    settings.prefetch = static_cast<std::uint16_t>(o.prefetch);

    Inventory inventory;
    std::unique_ptr<StateStore> state;
    std::string state_location = "memory only (--no-state): nothing survives a restart";
    std::filesystem::path history;
    if (!o.no_state) {
      const auto root = o.state_dir ? std::filesystem::path(*o.state_dir) : default_state_root();
      const auto dir = state_dir_for_queue(root, settings.topology.queue);
      StateStore::LoadReport report;
      state = std::make_unique<StateStore>(dir, inventory, report);
      if (!report.warning.empty()) log.warn(report.warning);
      log.info("restored " + std::to_string(report.products) + " products from " + dir.string());
      state_location = dir.string();
      history = root / "history";
    }

    StoreStatus status(settings.connection.url.display(), settings.topology.queue,
                       settings.topology.dead_letter_queue(), state_location, settings.retry_interval.count());
    InventoryConsumer consumer(settings, inventory, status, log, state.get());
    consumer.start();

    const bool interactive = ::isatty(STDIN_FILENO) != 0;
    ConsoleStyle style;
    style.colour = interactive && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    Console console(inventory, status, style);
    int rc = 0;
    if (interactive) {
      TerminalSettings terminal;
      terminal.history_file = history;
      rc = run_interactive(console, signals, log, terminal);
    } else {
      rc = run_piped(console, signals);
    }

    consumer.stop();
    if (state) state->compact(inventory);
    return rc;
  } catch (const std::exception& e) {
    log.error(e.what());
    if (const auto* known = dynamic_cast<const Error*>(&e)) return static_cast<int>(known->exit_code());
    return 1;
  }
}
