// Command-line options both programs share (written once, as in rabbitmq-c's
// tools): where the broker is and which queue, plus the CLI11 glue that maps
// --help, --version and usage errors to exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "inventory/amqp.hpp"

namespace inventory {

struct ConnectionOptions {
  std::optional<std::string> url;
  std::string queue = "inventory_updates";
  double connect_timeout_s = 5.0;
  std::string cacert;
};

void add_connection_options(CLI::App& app, ConnectionOptions& options);

// Resolves --url / AMQP_URL / default and checks everything. Throws UsageError.
ConnectionSettings make_connection_settings(const ConnectionOptions& options, std::string connection_name);
Topology make_topology(const ConnectionOptions& options);

// Parses argv. Returns an exit code when the program should stop now (--help,
// --version: 0; a usage error: 2, after a one-line message), else nullopt.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// The footer both programs' --help end with: environment and exit codes.
std::string environment_help();

}  // namespace inventory
