// Broker URLs (SPEC 4, 5): parsing, defaults, and that a password never shows.
#include "inventory/broker_url.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "inventory/errors.hpp"

namespace inventory {
namespace {

// The message of the UsageError `url` throws ("" and a failure if it does not throw).
std::string usage_error_of(std::string_view url) {
  try {
    parse_broker_url(url);
  } catch (const UsageError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << url << " threw something other than UsageError: " << e.what();
    return {};
  }
  ADD_FAILURE() << url << " was accepted";
  return {};
}

TEST(ParseBrokerUrl, FullUrl) {
  const BrokerUrl u = parse_broker_url("amqp://shop:secret@mq.example:5673/prod");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.user, "shop");
  EXPECT_EQ(u.password, "secret");
  EXPECT_EQ(u.host, "mq.example");
  EXPECT_EQ(u.port, 5673);
  EXPECT_EQ(u.vhost, "prod");
}

TEST(ParseBrokerUrl, TheDefaultUrlGivesTheDefaults) {
  const BrokerUrl u = parse_broker_url(kDefaultBrokerUrl);
  const BrokerUrl d;
  EXPECT_EQ(u.tls, d.tls);
  EXPECT_EQ(u.user, "guest");
  EXPECT_EQ(u.password, "guest");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 5672);
  EXPECT_EQ(u.vhost, "/");
}

TEST(ParseBrokerUrl, HostOnlyTakesGuestDefaults) {
  const BrokerUrl u = parse_broker_url("amqp://h");
  EXPECT_EQ(u.user, "guest");
  EXPECT_EQ(u.password, "guest");
  EXPECT_EQ(u.host, "h");
  EXPECT_EQ(u.port, 5672);
}

TEST(ParseBrokerUrl, NoPathIsTheDefaultVhost) { EXPECT_EQ(parse_broker_url("amqp://h").vhost, "/"); }

TEST(ParseBrokerUrl, SlashPathIsTheDefaultVhost) { EXPECT_EQ(parse_broker_url("amqp://h/").vhost, "/"); }

TEST(ParseBrokerUrl, EscapedSlashIsTheDefaultVhost) {
  EXPECT_EQ(parse_broker_url("amqp://h/%2F").vhost, "/");
  EXPECT_EQ(parse_broker_url("amqp://h/%2f").vhost, "/");
}

TEST(ParseBrokerUrl, NamedVhost) {
  EXPECT_EQ(parse_broker_url("amqp://h/prod").vhost, "prod");
  EXPECT_EQ(parse_broker_url("amqp://h:5672/prod").vhost, "prod");
}

TEST(ParseBrokerUrl, VhostIsPercentDecoded) {
  EXPECT_EQ(parse_broker_url("amqp://h/a%2Fb").vhost, "a/b");
  EXPECT_EQ(parse_broker_url("amqp://h/my%20shop").vhost, "my shop");
}

TEST(ParseBrokerUrl, VhostWithAnUnescapedSlashIsRejected) {
  EXPECT_THROW(parse_broker_url("amqp://h/a/b"), UsageError);
}

TEST(ParseBrokerUrl, QueryAndFragmentAreIgnored) {
  const BrokerUrl u = parse_broker_url("amqp://h:5673/prod?heartbeat=10#x");
  EXPECT_EQ(u.port, 5673);
  EXPECT_EQ(u.vhost, "prod");
}

TEST(ParseBrokerUrl, AmqpsDefaultsToPort5671) {
  const BrokerUrl u = parse_broker_url("amqps://h");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.port, 5671);
}

TEST(ParseBrokerUrl, AmqpsWithExplicitPort) {
  const BrokerUrl u = parse_broker_url("amqps://h:1234/");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.port, 1234);
}

TEST(ParseBrokerUrl, SchemeIsCaseInsensitive) {
  EXPECT_FALSE(parse_broker_url("AMQP://h").tls);
  EXPECT_TRUE(parse_broker_url("AmQpS://h").tls);
}

TEST(ParseBrokerUrl, Ipv6HostWithPort) {
  const BrokerUrl u = parse_broker_url("amqp://[::1]:5673");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 5673);
  EXPECT_EQ(u.vhost, "/");
}

TEST(ParseBrokerUrl, Ipv6HostWithoutPort) {
  const BrokerUrl u = parse_broker_url("amqp://u:p@[fe80::1]/v");
  EXPECT_EQ(u.host, "fe80::1");
  EXPECT_EQ(u.port, 5672);
  EXPECT_EQ(u.user, "u");
  EXPECT_EQ(u.vhost, "v");
}

TEST(ParseBrokerUrl, UnclosedIpv6HostIsRejected) { EXPECT_THROW(parse_broker_url("amqp://[::1:5673"), UsageError); }

TEST(ParseBrokerUrl, TextAfterIpv6HostIsRejected) { EXPECT_THROW(parse_broker_url("amqp://[::1]x"), UsageError); }

TEST(ParseBrokerUrl, UserAndPasswordArePercentDecoded) {
  const BrokerUrl u = parse_broker_url("amqp://us%40er:p%40ss%3Aw%2Fd%25@h");
  EXPECT_EQ(u.user, "us@er");
  EXPECT_EQ(u.password, "p@ss:w/d%");
  EXPECT_EQ(u.host, "h");
}

TEST(ParseBrokerUrl, UserWithoutPasswordHasEmptyPassword) {
  const BrokerUrl u = parse_broker_url("amqp://alice@h");
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "");
}

TEST(ParseBrokerUrl, EmptyUserIsRejected) {
  EXPECT_THROW(parse_broker_url("amqp://:secret@h"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://@h"), UsageError);
}

TEST(ParseBrokerUrl, PortRange) {
  EXPECT_EQ(parse_broker_url("amqp://h:1").port, 1);
  EXPECT_EQ(parse_broker_url("amqp://h:65535").port, 65535);
}

TEST(ParseBrokerUrl, BadSchemeIsRejected) {
  EXPECT_THROW(parse_broker_url("http://h"), UsageError);
  EXPECT_THROW(parse_broker_url("amqpx://h"), UsageError);
  EXPECT_THROW(parse_broker_url("://h"), UsageError);
  EXPECT_NE(usage_error_of("http://h").find("amqp"), std::string::npos);
}

TEST(ParseBrokerUrl, MissingSchemeIsRejected) {
  EXPECT_THROW(parse_broker_url("localhost:5672"), UsageError);
  EXPECT_THROW(parse_broker_url(""), UsageError);
}

TEST(ParseBrokerUrl, PortZeroIsRejected) { EXPECT_THROW(parse_broker_url("amqp://h:0"), UsageError); }

TEST(ParseBrokerUrl, Port65536IsRejected) {
  EXPECT_THROW(parse_broker_url("amqp://h:65536"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://h:99999999999"), UsageError);
}

TEST(ParseBrokerUrl, NonNumericPortIsRejected) {
  EXPECT_THROW(parse_broker_url("amqp://h:abc"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://h:12ab"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://h:-1"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://h:+1"), UsageError);
  EXPECT_NE(usage_error_of("amqp://h:abc").find("port"), std::string::npos);
}

TEST(ParseBrokerUrl, EmptyPortIsRejected) {
  EXPECT_THROW(parse_broker_url("amqp://h:"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://h:/vhost"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://[::1]:"), UsageError);
}

TEST(ParseBrokerUrl, BadPercentEscapeIsRejected) {
  for (std::string_view url : {"amqp://u:p%zz@h", "amqp://u:p%4@h", "amqp://u:p%@h", "amqp://u%g1:p@h",
                               "amqp://h/v%", "amqp://h/v%2", "amqp://h/%GG"})
    EXPECT_THROW(parse_broker_url(url), UsageError) << url;
  EXPECT_NE(usage_error_of("amqp://h/v%zz").find("%-escape"), std::string::npos);
}

TEST(ParseBrokerUrl, SignedPercentEscapeIsRejected) {
  // "%-1" is not two hex digits; it must not decode to byte 0xFF.
  EXPECT_THROW(parse_broker_url("amqp://h/%-1"), UsageError);
  EXPECT_THROW(parse_broker_url("amqp://u:%-1@h"), UsageError);
}

TEST(ParseBrokerUrl, ErrorNeverContainsThePassword) {
  for (std::string_view url : {"amqp://user:hunter2@h:0", "amqp://user:hunter2@h:65536/", "amqp://user:hunter2@h:abc",
                               "amqp://user:hunter2@h:", "amqp://user:hunter2@h/a/b", "amqp://user:hunter2@h/%zz",
                               "amqp://user:hunter2%zz@h", "amqp://user:hunter2@[::1", "http://user:hunter2@h",
                               "amqp://:hunter2@h"}) {
    const std::string message = usage_error_of(url);
    EXPECT_FALSE(message.empty()) << url;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
}

TEST(ParseBrokerUrl, ErrorNeverContainsAPasswordHoldingAnAtSign) {
  // The parser takes the last '@' as the end of the password, so "se@cret" is the
  // password here; the error must not echo any part of it.
  const BrokerUrl u = parse_broker_url("amqp://user:se@cret@h");
  ASSERT_EQ(u.password, "se@cret");
  const std::string message = usage_error_of("amqp://user:se@cret@h:0");
  EXPECT_EQ(message.find("cret"), std::string::npos) << message;
}

TEST(ParseBrokerUrl, ErrorNamesTheUrlRedacted) {
  const std::string message = usage_error_of("amqp://user:hunter2@h:0");
  EXPECT_NE(message.find("amqp://user:****@h:0"), std::string::npos) << message;
}

// ---- display -------------------------------------------------------------------------

TEST(BrokerUrlDisplay, ShowsUserHostPortVhostWithoutPassword) {
  EXPECT_EQ(parse_broker_url("amqp://shop:secret@mq:5673/prod").display(), "amqp://shop@mq:5673/prod");
  EXPECT_EQ(parse_broker_url("amqp://h").display(), "amqp://guest@h:5672/");
  EXPECT_EQ(parse_broker_url("amqps://h").display(), "amqps://guest@h:5671/");
}

TEST(BrokerUrlDisplay, BracketsIpv6Hosts) {
  EXPECT_EQ(parse_broker_url("amqp://[::1]:5673").display(), "amqp://guest@[::1]:5673/");
}

TEST(BrokerUrlDisplay, NeverContainsThePassword) {
  for (std::string_view url : {"amqp://u:topsecret@h", "amqps://u:topsecret@h:1/v", "amqp://u:topsecret@[::1]/",
                               "amqp://guest:topsecret@localhost:5672/%2F"}) {
    const std::string shown = parse_broker_url(url).display();
    EXPECT_EQ(shown.find("topsecret"), std::string::npos) << shown;
  }
  BrokerUrl u;
  u.password = "topsecret";
  EXPECT_EQ(u.display().find("topsecret"), std::string::npos);
}

// ---- redact_url --------------------------------------------------------------------------

TEST(RedactUrl, ReplacesThePassword) {
  EXPECT_EQ(redact_url("amqp://user:secret@h:5672/v"), "amqp://user:****@h:5672/v");
  EXPECT_EQ(redact_url("amqps://u:p@h"), "amqps://u:****@h");
}

TEST(RedactUrl, LeavesUrlsWithoutPasswordAlone) {
  EXPECT_EQ(redact_url("amqp://h:5672/v"), "amqp://h:5672/v");
  EXPECT_EQ(redact_url("amqp://user@h:5672/v"), "amqp://user@h:5672/v");
  EXPECT_EQ(redact_url("not a url"), "not a url");
  EXPECT_EQ(redact_url(""), "");
}

TEST(RedactUrl, HidesAPasswordContainingAnAtSign) {
  const std::string shown = redact_url("amqp://user:se@cret@h");
  EXPECT_EQ(shown.find("cret"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("se@"), std::string::npos) << shown;
}

// ---- choose_broker_url -----------------------------------------------------------------

// Sets or clears AMQP_URL for one test and puts the old value back.
class AmqpUrlEnv {
 public:
  AmqpUrlEnv() {
    if (const char* old = std::getenv("AMQP_URL")) saved_ = old;
  }
  ~AmqpUrlEnv() {
    if (saved_) ::setenv("AMQP_URL", saved_->c_str(), 1);
    else ::unsetenv("AMQP_URL");
  }
  AmqpUrlEnv(const AmqpUrlEnv&) = delete;
  AmqpUrlEnv& operator=(const AmqpUrlEnv&) = delete;
  void set(const char* value) { ::setenv("AMQP_URL", value, 1); }
  void clear() { ::unsetenv("AMQP_URL"); }

 private:
  std::optional<std::string> saved_;
};

TEST(ChooseBrokerUrl, OptionWinsOverEnvironment) {
  AmqpUrlEnv env;
  env.set("amqp://from-env");
  EXPECT_EQ(choose_broker_url(std::string("amqp://from-option")), "amqp://from-option");
}

TEST(ChooseBrokerUrl, EnvironmentWhenNoOption) {
  AmqpUrlEnv env;
  env.set("amqp://from-env");
  EXPECT_EQ(choose_broker_url(std::nullopt), "amqp://from-env");
  EXPECT_EQ(choose_broker_url(std::string()), "amqp://from-env");
}

TEST(ChooseBrokerUrl, DefaultWhenNeither) {
  AmqpUrlEnv env;
  env.clear();
  EXPECT_EQ(choose_broker_url(std::nullopt), kDefaultBrokerUrl);
  EXPECT_EQ(choose_broker_url(std::nullopt), "amqp://guest:guest@localhost:5672/");
}

TEST(ChooseBrokerUrl, EmptyEnvironmentCountsAsUnset) {
  AmqpUrlEnv env;
  env.set("");
  EXPECT_EQ(choose_broker_url(std::nullopt), kDefaultBrokerUrl);
}

}  // namespace
}  // namespace inventory
