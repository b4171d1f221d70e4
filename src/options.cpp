#include "inventory/options.hpp"

#include <chrono>
#include <cmath>
#include <iostream>

#include "inventory/broker_url.hpp"
#include "inventory/errors.hpp"

namespace inventory {
namespace {

// --help as well-kept CLIs write it: "--retry-interval SECONDS   Wait ... (default: 5)",
// without CLI11's validator and exclusion annotations.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_type_size() == 0) return {};
    std::string type = opt->get_type_name();
    type = type.substr(0, type.find(':'));
    return type.empty() ? std::string() : " " + type;
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string desc = opt->get_description();
    if (!opt->get_default_str().empty()) desc += " (default: " + opt->get_default_str() + ")";
    return desc;
  }
};

}  // namespace

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
  auto formatter = std::make_shared<HelpFormatter>();
  formatter->column_width(28);
  app.formatter(formatter);
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
