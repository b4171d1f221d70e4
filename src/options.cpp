#include "inventory/options.hpp"

#include <chrono>
#include <cmath>
#include <iostream>

#include "inventory/broker_url.hpp"
#include "inventory/errors.hpp"

namespace inventory {

void add_connection_options(CLI::App& app, ConnectionOptions& options) {
  app.add_option("--url", options.url,
                 "Broker address, amqp[s]://user:pass@host:port/vhost\n"
                 "(default: $AMQP_URL, else amqp://guest:guest@localhost:5672/)")
      ->type_name("URL");
  app.add_option("--queue", options.queue, "Queue to use; poison goes to QUEUE.dead")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--connect-timeout", options.connect_timeout_s, "Give up connecting after this long")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  app.add_option("--cacert", options.cacert, "CA certificate (PEM) to verify an amqps:// broker")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
}

ConnectionSettings make_connection_settings(const ConnectionOptions& options, std::string connection_name) {
  ConnectionSettings settings;
  settings.url = parse_broker_url(choose_broker_url(options.url));
  settings.connect_timeout = std::chrono::milliseconds(static_cast<long>(std::lround(options.connect_timeout_s * 1000)));
  settings.cacert = options.cacert;
  settings.connection_name = std::move(connection_name);
  return settings;
}

Topology make_topology(const ConnectionOptions& options) {
  if (options.queue.empty()) throw UsageError("--queue must not be empty");
  if (options.queue.size() > 250) throw UsageError("--queue is longer than 250 bytes");
  if (options.queue.rfind("amq.", 0) == 0) throw UsageError("queue names starting with 'amq.' are reserved by RabbitMQ");
  Topology topology;
  topology.queue = options.queue;
  return topology;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << app.get_name() << " " << INVENTORY_VERSION << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": error: " << e.what() << " (see " << app.get_name() << " --help)\n";
    return static_cast<int>(ExitCode::kUsage);
  }
  return std::nullopt;
}

std::string environment_help() {
  return "Environment:\n"
         "  AMQP_URL       broker address when --url is not given\n"
         "  NO_COLOR       if set, no colour in the output\n";
}

}  // namespace inventory
