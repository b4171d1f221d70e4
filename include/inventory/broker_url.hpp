// Where the broker is: amqp[s]://user:pass@host:port/vhost, parsed once, and
// shown everywhere without its password.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inventory {

inline constexpr std::string_view kDefaultBrokerUrl = "amqp://guest:guest@localhost:5672/";

struct BrokerUrl {
  bool tls = false;
  std::string user = "guest";
  std::string password = "guest";
  std::string host = "localhost";
  std::uint16_t port = 5672;
  std::string vhost = "/";

  // amqp://user@host:port/vhost: safe for logs, errors and `status`.
  std::string display() const;
};

// Throws UsageError naming what is wrong (the password never appears in it).
// An empty path or "/" is the default vhost "/"; otherwise the path is
// percent-decoded ("/%2F" is "/" too).
BrokerUrl parse_broker_url(std::string_view url);

// --url, else $AMQP_URL, else the default.
std::string choose_broker_url(const std::optional<std::string>& from_option);

// `url` with any password replaced by "****", for echoing a bad URL back.
std::string redact_url(std::string_view url);

}  // namespace inventory
