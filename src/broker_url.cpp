#include "inventory/broker_url.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "inventory/errors.hpp"

namespace inventory {
namespace {

[[noreturn]] void bad_url(std::string_view url, const std::string& why) {
  throw UsageError("invalid broker URL '" + redact_url(url) + "': " + why);
}

std::string percent_decode(std::string_view url, std::string_view s, const char* part) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      bad_url(url, std::string("bad %-escape in ") + part);
    unsigned value = 0;
    std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace

std::string BrokerUrl::display() const {
  std::string out = tls ? "amqps://" : "amqp://";
  out += user;
  out += '@';
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ':';
  out += std::to_string(port);
  out += vhost == "/" ? "/" : "/" + vhost;
  return out;
}

std::string redact_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  // The password ends at the last '@' before the path, as the parser reads it.
  const auto path = url.find('/', start);
  const auto at = url.substr(0, path).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const auto colon = url.substr(0, at).find(':', start);
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "****" + std::string(url.substr(at));
}

BrokerUrl parse_broker_url(std::string_view url) {
  BrokerUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) bad_url(url, "expected amqp://host or amqps://host");
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "amqps") {
    out.tls = true;
    out.port = 5671;
  } else if (scheme != "amqp") {
    bad_url(url, "scheme must be amqp or amqps, not '" + scheme + "'");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (auto q = rest.find_first_of("?#"); q != std::string_view::npos) rest = rest.substr(0, q);
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(authority.size());

  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    out.user = percent_decode(url, userinfo.substr(0, colon), "user name");
    out.password = colon == std::string_view::npos ? "" : percent_decode(url, userinfo.substr(colon + 1), "password");
    if (out.user.empty()) bad_url(url, "empty user name");
  }

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) bad_url(url, "unclosed '[' in IPv6 host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url(url, "unexpected text after IPv6 host");
      port = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!host.empty()) out.host = percent_decode(url, host, "host");
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535)
      bad_url(url, "port must be a number from 1 to 65535, not '" + std::string(port) + "'");
    out.port = static_cast<std::uint16_t>(value);
  } else if (authority.ends_with(':')) {
    bad_url(url, "empty port");
  }

  if (path.size() > 1) {
    std::string_view vhost = path.substr(1);
    if (vhost.find('/') != std::string_view::npos) bad_url(url, "the vhost must be one path segment (write '/' as %2F)");
    out.vhost = percent_decode(url, vhost, "vhost");
  }
  return out;
}

std::string choose_broker_url(const std::optional<std::string>& from_option) {
  if (from_option && !from_option->empty()) return *from_option;
  if (const char* env = std::getenv("AMQP_URL"); env && *env) return env;
  return std::string(kDefaultBrokerUrl);
}

}  // namespace inventory
