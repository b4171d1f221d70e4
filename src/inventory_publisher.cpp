// inventory_publisher: sends one stock level (or a file of them) to the
// inventory queue and says so only once the broker has confirmed it.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "inventory/bulk_publish.hpp"
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

// Opens FILE ('-' = stdin) before anything connects, so a typo publishes nothing.
int open_input(const std::string& path) {
  if (path == "-") return STDIN_FILENO;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError("cannot open '" + path + "': " + std::strerror(errno));
  return fd;
}

int publish_bulk(const PublisherSettings& settings, const std::string& path) {
  const int fd = open_input(path);
  struct stat st{};
  const std::uint64_t total = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  ConfirmedPublisher publisher(settings);
  ProgressCallback progress;
  if (::isatty(STDERR_FILENO)) {
    progress = [total](const BulkReport& report, std::uint64_t bytes) {
      winsize ws{};
      const std::size_t width = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col - 1 : 79;
      std::fprintf(stderr, "\r%s\033[K", progress_line(report, bytes, total, width).c_str());
      std::fflush(stderr);
    };
  }
  const BulkReport report = publish_file(publisher, fd, progress);
  if (progress) std::fprintf(stderr, "\r\033[K");
  std::fputs(report.summary().c_str(), stdout);
  std::fflush(stdout);
  if (!report.link_error.empty())
    std::fprintf(stderr, "%s: error: %s; %llu of %llu sent updates were confirmed before that: publish the file again "
                 "(setting a stock level twice is harmless)\n", kProgram, report.link_error.c_str(),
                 static_cast<unsigned long long>(report.confirmed), static_cast<unsigned long long>(report.sent));
  return report.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Publish product stock levels to RabbitMQ; each one counts only once the broker confirms it.\n"
               "  inventory_publisher [OPTIONS] PRODUCT_ID QUANTITY\n"
               "  inventory_publisher [OPTIONS] --file FILE        # FILE of updates, '-' = stdin",
               kProgram};
  ConnectionOptions connection;
  std::string product_id;
  std::string quantity;
  std::optional<std::uint64_t> version;
  std::optional<std::string> file;
  std::size_t window = 2048;
  add_connection_options(app, connection);
  app.add_option("PRODUCT_ID", product_id, "Product id: up to 128 bytes, no spaces or control characters");
  app.add_option("QUANTITY", quantity, "Stock level to set: a whole number, 0 or more");
  app.add_option("-f,--file", file,
                 "Publish every update in FILE ('-' = stdin): JSON Lines (one message object a line)\n"
                 "or CSV (product_id,quantity[,version], optional header), detected by content")
      ->type_name("FILE");
  app.add_option("--window", window, "With --file: updates in flight awaiting the broker's confirm")
      ->type_name("N")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
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
             "  3  --file: some lines were rejected (the good ones were published and confirmed)\n"
             "Examples:\n"
             "  inventory_publisher 42 10\n"
             "  inventory_publisher --url amqp://shop:secret@mq.example:5672/shop sku-991 0\n"
             "  inventory_publisher --file stock.csv\n"
             "  producer | inventory_publisher --file -\n");
  if (auto rc = parse_command_line(app, argc, argv)) return *rc;

  try {
    PublisherSettings settings;
    settings.connection = make_connection_settings(connection, kProgram);
    settings.topology = make_topology(connection);
    if (file) {
      if (!product_id.empty() || !quantity.empty()) throw UsageError("give either --file or PRODUCT_ID QUANTITY, not both");
      if (version) throw UsageError("--update-version goes with a single update; in a file, give each line its version");
      settings.window = window;
      return publish_bulk(settings, *file);
    }
    if (product_id.empty() && quantity.empty()) throw UsageError("PRODUCT_ID and QUANTITY are required (or --file FILE)");
    if (quantity.empty()) throw UsageError("QUANTITY is required");
    const InventoryUpdate update = update_from_arguments(product_id, quantity, version);
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
