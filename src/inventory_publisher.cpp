// inventory_publisher: sends one stock level (or a file of them) to the
// inventory queue and says so only once the broker has confirmed it.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "inventory/errors.hpp"
#include "inventory/options.hpp"
#include "inventory/publisher.hpp"
#include "inventory/update.hpp"

using namespace inventory;

namespace {

constexpr const char* kProgram = "inventory_publisher";

InventoryUpdate update_from_arguments(const std::string& product_id, const std::string& quantity,
                                      std::optional<std::uint64_t> version) {
  if (auto problem = product_id_problem(product_id)) throw UsageError("bad PRODUCT_ID: " + *problem);
  const auto q = parse_decimal_int64(quantity);
  if (!q || *q < 0)
    throw UsageError("QUANTITY must be a whole number from 0 to 9223372036854775807, not '" + quantity + "'");
  return InventoryUpdate{product_id, *q, version ? version : std::optional<std::uint64_t>(next_version_stamp())};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Publish product stock levels to RabbitMQ; each one counts only once the broker confirms it.",
               kProgram};
  ConnectionOptions connection;
  std::string product_id;
  std::string quantity;
  std::optional<std::uint64_t> version;
  add_connection_options(app, connection);
  app.add_option("PRODUCT_ID", product_id, "Product id: up to 128 bytes, no spaces or control characters")
      ->required();
  app.add_option("QUANTITY", quantity, "Stock level to set: a whole number, 0 or more")->required();
  app.add_option("--update-version", version,
                 "Version of this update (default: publish time in microseconds); the store ignores\n"
                 "an update whose version is not above the one it has")
      ->type_name("N");
  app.set_version_flag("--version", std::string(kProgram) + " " + INVENTORY_VERSION);
  app.footer(environment_help() +
             "Exit codes:\n"
             "  0  every update confirmed by the broker\n"
             "  1  broker unreachable, login refused, link lost, or an update nacked/returned\n"
             "  2  bad usage or a bad update: nothing was published\n"
             "Examples:\n"
             "  inventory_publisher 42 10\n"
             "  inventory_publisher --url amqp://shop:secret@mq.example:5672/shop sku-991 0\n");
  if (auto rc = parse_command_line(app, argc, argv)) return *rc;

  try {
    const InventoryUpdate update = update_from_arguments(product_id, quantity, version);
    PublisherSettings settings;
    settings.connection = make_connection_settings(connection, kProgram);
    settings.topology = make_topology(connection);
    settings.window = 1;
    ConfirmedPublisher publisher(settings);
    publisher.publish_and_confirm(update);
    std::printf("confirmed: product=%s quantity=%lld version=%llu queue=%s broker=%s\n", update.product_id.c_str(),
                static_cast<long long>(update.quantity), static_cast<unsigned long long>(*update.version),
                settings.topology.queue.c_str(), publisher.url().display().c_str());
    return 0;
  } catch (const std::exception& e) {
    return report_error(kProgram, e);
  }
}
