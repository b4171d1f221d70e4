// Faults an operator will meet: a broker that restarts, freezes or refuses the
// login, a store killed mid-drain, a queue deleted under the consumer, poison of
// every kind, a second store on the same state, a journal cut short by a crash.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "inventory/publisher.hpp"
#include "inventory/state.hpp"
#include "inventory/update.hpp"
#include "support/harness.hpp"

namespace ts = testing_support;
using namespace std::chrono_literals;
using inventory::InventoryUpdate;

namespace {

// Nothing listens on port 1: a store pointed there can only use what it has on disk.
const std::string kDeadBrokerUrl = "amqp://guest:guest@127.0.0.1:1/";

// Every update published persistent and confirmed, many in flight (as the
// publisher's --file does). Returns how many the broker confirmed.
std::size_t publish_confirmed(const std::string& queue,
                              const std::vector<InventoryUpdate>& updates) {
  inventory::PublisherSettings settings;
  settings.connection.url = inventory::parse_broker_url(ts::TestBroker::instance().url());
  settings.connection.connection_name = "fault test publisher";
  settings.topology = inventory::Topology{queue};
  inventory::ConfirmedPublisher publisher(settings);
  std::size_t confirmed = 0;
  const auto count = [&](const inventory::ConfirmedPublisher::Settled& s) {
    if (s.outcome == inventory::PublishOutcome::kConfirmed) ++confirmed;
  };
  for (std::size_t i = 0; i < updates.size(); ++i) publisher.publish(updates[i], i, count);
  publisher.wait_all(count);
  return confirmed;
}

// The number right after `label` (and any spaces) in `text`, e.g. "applied " or "products:".
std::optional<std::uint64_t> number_after(const std::string& text, const std::string& label) {
  auto at = text.find(label);
  if (at == std::string::npos) return std::nullopt;
  at += label.size();
  while (at < text.size() && text[at] == ' ') ++at;
  auto end = at;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == at) return std::nullopt;
  return inventory::parse_decimal_uint64(std::string_view(text).substr(at, end - at));
}

struct StatusCounts {
  std::uint64_t products = 0, applied = 0, stale = 0, rejected = 0;
};

// From `status`: "products:  N" and "updates:  applied A, stale S, rejected R".
std::optional<StatusCounts> counts_of(const std::string& status) {
  const auto at = status.find("\nupdates:");
  if (at == std::string::npos) return std::nullopt;
  const std::string updates = status.substr(at);
  const auto products = number_after(status, "\nproducts:");
  const auto applied = number_after(updates, "applied ");
  const auto stale = number_after(updates, "stale ");
  const auto rejected = number_after(updates, "rejected ");
  if (!products || !applied || !stale || !rejected) return std::nullopt;
  return StatusCounts{*products, *applied, *stale, *rejected};
}

// The queue as RabbitMQ itself counts it. `messages` is ready + unacknowledged,
// so 0 means every delivery was acked (a passive declare sees only ready ones).
struct BrokerQueueCounts {
  std::uint64_t messages = 0, unacked = 0, consumers = 0;
};

std::optional<BrokerQueueCounts> broker_counts(const std::string& queue) {
  const auto r = ts::TestBroker::instance().ctl(
      {"list_queues", "name", "messages", "messages_unacknowledged", "consumers"});
  if (r.exit_code != 0) return std::nullopt;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name;
    BrokerQueueCounts c;
    if (std::getline(fields, name, '\t') && name == queue &&
        (fields >> c.messages >> c.unacked >> c.consumers))
      return c;
  }
  return std::nullopt;
}

// Once the broker has dropped a dead or stopped store's subscription (it has read
// everything that store sent), what is left of the queue is what it did not ack.
std::optional<BrokerQueueCounts> counts_once_store_is_gone(const std::string& queue) {
  std::optional<BrokerQueueCounts> c;
  if (!ts::eventually([&] { return (c = broker_counts(queue)) && c->consumers == 0; }, 30s))
    return std::nullopt;
  return c;
}

bool everything_acked(const std::string& queue) {
  const auto c = broker_counts(queue);
  return c && c->messages == 0 && c->unacked == 0;
}

// Asks `get` for every product; a failure lists the first few that differ.
::testing::AssertionResult has_quantities(
    ts::Store& store, const std::vector<std::pair<std::string, std::int64_t>>& want) {
  std::size_t wrong = 0;
  std::string first;
  for (const auto& [id, quantity] : want) {
    const std::string answer = store.ask("get " + id);
    const std::string expect = "product=" + id + " quantity=" + std::to_string(quantity) + " ";
    if (answer.rfind(expect, 0) != 0) {
      if (++wrong <= 5) first += "\n  want '" + expect + "...', got '" + answer + "'";
    }
  }
  if (wrong == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << wrong << " of " << want.size() << " products wrong:" << first;
}

std::filesystem::path journal_of(const ts::TempDir& dir, const std::string& queue) {
  return inventory::state_dir_for_queue(dir.path(), queue) / "journal";
}

std::uintmax_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

}  // namespace

TEST(Fault, BacklogSurvivesBrokerRestartWithNoStoreRunning) {
  ts::BrokerRunningAtEnd guard;
  auto& broker = ts::TestBroker::instance();
  const std::string queue = ts::unique_queue("backlog");
  constexpr int kUpdates = 500;
  std::vector<InventoryUpdate> updates;
  for (int i = 0; i < kUpdates; ++i)
    updates.push_back({"backlog-" + std::to_string(i), i * 7 + 1, std::nullopt});
  ASSERT_EQ(publish_confirmed(queue, updates), std::size_t{kUpdates});
  EXPECT_EQ(broker.session()->message_count(queue), std::uint32_t{kUpdates});

  broker.restart();
  // Durable queue, persistent messages: the backlog is still there before any store runs.
  ASSERT_EQ(broker.session()->message_count(queue), std::uint32_t{kUpdates});

  ts::TempDir state;
  ts::Store store(queue, {"--state-dir", state.path().string()});
  ASSERT_TRUE(store.wait_connected()) << store.process().err();
  ASSERT_TRUE(ts::eventually([&] {
    const auto c = counts_of(store.status());
    return c && c->applied == kUpdates;
  })) << store.status();
  EXPECT_TRUE(ts::eventually([&] { return broker.session()->message_count(queue) == 0; }));

  const std::string status = store.status();
  EXPECT_NE(status.find("products:     500\n"), std::string::npos) << status;
  EXPECT_NE(status.find("applied 500, stale 0, rejected 0"), std::string::npos) << status;
  for (int i : {0, 1, 250, 498, 499})
    EXPECT_EQ(store.ask("check backlog-" + std::to_string(i) + " 1"),
              "AVAILABLE product=backlog-" + std::to_string(i) +
                  " asked=1 in_stock=" + std::to_string(i * 7 + 1));
  EXPECT_EQ(store.ask("check backlog-500 1"),
            "PRODUCT_NOT_FOUND product=backlog-500 asked=1 in_stock=none");
  EXPECT_EQ(store.stop_with(SIGTERM), 0);
}

TEST(Fault, StoreKilledWithSigkillAfterAckComesBackWithEverything) {
  const std::string queue = ts::unique_queue("sigkill");
  ts::TempDir state;
  constexpr int kUpdates = 300;
  std::vector<InventoryUpdate> updates;
  std::vector<std::pair<std::string, std::int64_t>> want;
  for (int i = 0; i < kUpdates; ++i) {
    updates.push_back({"kill-" + std::to_string(i), 1000 + i, std::nullopt});
    want.emplace_back("kill-" + std::to_string(i), 1000 + i);
  }
  {
    ts::Store store(queue, {"--state-dir", state.path().string()});
    ASSERT_TRUE(store.wait_connected()) << store.process().err();
    ASSERT_EQ(publish_confirmed(queue, updates), std::size_t{kUpdates});
    ASSERT_TRUE(ts::eventually([&] {
      const auto c = counts_of(store.status());
      return c && c->products == kUpdates;
    })) << store.status();
    // Visible is not yet acked: wait until RabbitMQ has every ack (nothing ready, nothing unacked).
    ASSERT_TRUE(ts::eventually([&] { return everything_acked(queue); }, 30s));
    EXPECT_EQ(store.stop_with(SIGKILL), 128 + SIGKILL);
  }
  // Nothing came back to the queue: the kill left no unacked delivery behind.
  const auto left = counts_once_store_is_gone(queue);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->messages, 0u);

  // No broker to refill it: whatever it knows comes from the state directory.
  ts::Store again(queue, {"--state-dir", state.path().string()}, kDeadBrokerUrl);
  ASSERT_TRUE(again.process().wait_stderr("restored 300 products from")) << again.process().err();
  EXPECT_TRUE(has_quantities(again, want));
  EXPECT_EQ(again.ask("check kill-299 1299"),
            "AVAILABLE product=kill-299 asked=1299 in_stock=1299 (may be stale: not connected to "
            "the broker)");
  const std::string status = again.status();
  EXPECT_NE(status.find("products:     300\n"), std::string::npos) << status;
  EXPECT_NE(status.find("disconnected, retrying"), std::string::npos) << status;
  EXPECT_EQ(again.process().err().find("dropped"), std::string::npos) << again.process().err();
  EXPECT_EQ(again.stop_with(SIGTERM), 0);
}

TEST(Fault, SigkillMidDrainOf20kBacklogLosesNothing) {
  const std::string queue = ts::unique_queue("middrain");
  ts::TempDir state;
  constexpr int kProducts = 2000;
  constexpr int kVersions = 10;
  constexpr int kTotal = kProducts * kVersions;
  constexpr std::uint64_t kPrefetch = 200;
  constexpr std::uint64_t kKillAfter = 4000;
  // Interleaved: every product's version 1, then every product's version 2, ...
  // so each product's updates are spread over the whole backlog.
  const auto quantity = [](int product, int version) {
    return std::int64_t{product} * 100 + version;
  };
  std::vector<InventoryUpdate> updates;
  updates.reserve(kTotal);
  for (int v = 1; v <= kVersions; ++v)
    for (int p = 0; p < kProducts; ++p)
      updates.push_back({"md-" + std::to_string(p), quantity(p, v), std::uint64_t(1000 + v)});
  ASSERT_EQ(publish_confirmed(queue, updates), std::size_t{kTotal});

  const std::vector<std::string> args = {"--state-dir", state.path().string(), "--prefetch",
                                         std::to_string(kPrefetch)};
  std::uint64_t seen_applied = 0;
  {
    ts::Store store(queue, args);
    ASSERT_TRUE(store.wait_connected()) << store.process().err();
    ASSERT_TRUE(ts::eventually([&] {
      const auto c = counts_of(store.status());
      if (c) seen_applied = c->applied;
      return seen_applied >= kKillAfter;
    })) << store.status();
    EXPECT_EQ(store.stop_with(SIGKILL), 128 + SIGKILL);
  }
  // What RabbitMQ still holds is exactly what the killed store had not acked.
  const auto left = counts_once_store_is_gone(queue);
  ASSERT_TRUE(left);
  const std::uint64_t redeliver = left->messages;
  ASSERT_GT(redeliver, 0u) << "the store drained all " << kTotal
                           << " before the kill: nothing was tested";
  // It had applied >= kKillAfter; at most a prefetch window of those was unacked.
  EXPECT_LE(redeliver, kTotal - kKillAfter + kPrefetch);

  ts::Store again(queue, args);
  ASSERT_TRUE(again.wait_connected()) << again.process().err();
  std::optional<StatusCounts> done;
  ASSERT_TRUE(ts::eventually(
      [&] {
        done = counts_of(again.status());
        return done && done->applied + done->stale >= redeliver;
      },
      60s))
      << again.status() << "\nexpected " << redeliver << " deliveries";
  EXPECT_TRUE(ts::eventually([&] { return everything_acked(queue); }, 30s));

  // Each redelivery is applied or (if the journal already had it) stale; never
  // twice, never lost. Only deliveries the killed store held unacked can be stale,
  // and the broker never let it hold more than a prefetch window.
  done = counts_of(again.status());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->applied + done->stale, redeliver) << again.status();
  EXPECT_LE(done->stale, kPrefetch) << again.status();
  EXPECT_EQ(done->rejected, 0u);
  EXPECT_EQ(done->products, std::uint64_t{kProducts}) << again.status();

  std::vector<std::pair<std::string, std::int64_t>> want;
  for (int p = 0; p < kProducts; ++p)
    want.emplace_back("md-" + std::to_string(p), quantity(p, kVersions));
  EXPECT_TRUE(has_quantities(again, want));
  const std::string last = again.ask("get md-1999");
  EXPECT_EQ(last.rfind("product=md-1999 quantity=199910 version=1010 ", 0), 0u) << last;
  EXPECT_EQ(again.stop_with(SIGTERM), 0);
}

TEST(Fault, FrozenBrokerIsDetectedByHeartbeats) {
  ts::BrokerRunningAtEnd guard;
  auto& broker = ts::TestBroker::instance();
  const std::string queue = ts::unique_queue("frozen");
  ts::Store store(queue, {"--no-state", "--heartbeat", "2"});
  ASSERT_TRUE(store.wait_connected()) << store.process().err();
  ASSERT_EQ(ts::publish({"--queue", queue, "ice-1", "5"}).exit_code, 0);
  ASSERT_TRUE(store.wait_for("ice-1", "quantity=5"));

  broker.freeze();
  // The socket stays open; only missed heartbeats (2 x 2 s) can tell.
  const auto lost = store.process().wait_stderr("lost the connection: ", 20s);
  ASSERT_TRUE(lost) << store.process().err();
  const std::string err = store.process().err();
  EXPECT_NE(err.find("no heartbeat", *lost), std::string::npos) << err;

  const std::string status = store.status();
  EXPECT_NE(status.find("disconnected, retrying every 1s"), std::string::npos) << status;
  EXPECT_NE(status.find("last error:"), std::string::npos) << status;
  EXPECT_EQ(
      store.ask("check ice-1 5"),
      "AVAILABLE product=ice-1 asked=5 in_stock=5 (may be stale: not connected to the broker)");

  broker.thaw();
  ASSERT_TRUE(store.wait_connected(60s, 2)) << store.process().err();
  ASSERT_EQ(ts::publish({"--queue", queue, "ice-2", "8"}).exit_code, 0);
  EXPECT_TRUE(store.wait_for("ice-2", "quantity=8"));
  EXPECT_EQ(store.ask("check ice-1 5"), "AVAILABLE product=ice-1 asked=5 in_stock=5");
  EXPECT_EQ(store.stop_with(SIGTERM), 0);
}

TEST(Fault, CatalogueOfPoisonMessagesGoesToDeadLetterQueue) {
  const std::string queue = ts::unique_queue("catalogue");
  const std::string valid = R"({"product_id":"x","quantity":1})";
  const std::vector<std::pair<std::string, std::string>> poison = {
      {"empty body", ""},
      {"not JSON", "this is not json"},
      {"JSON array", R"([{"product_id":"x","quantity":1}])"},
      {"JSON string", R"("x")"},
      {"JSON number", "42"},
      {"JSON null", "null"},
      {"missing product_id", R"({"quantity":1})"},
      {"missing quantity", R"({"product_id":"x"})"},
      {"quantity as string", R"({"product_id":"x","quantity":"5"})"},
      {"float quantity", R"({"product_id":"x","quantity":1.5})"},
      {"exponent quantity", R"({"product_id":"x","quantity":1e3})"},
      {"negative quantity", R"({"product_id":"x","quantity":-1})"},
      {"quantity 2^63", R"({"product_id":"x","quantity":9223372036854775808})"},
      {"quantity 2^64", R"({"product_id":"x","quantity":18446744073709551616})"},
      {"bool quantity", R"({"product_id":"x","quantity":true})"},
      {"null quantity", R"({"product_id":"x","quantity":null})"},
      {"array quantity", R"({"product_id":"x","quantity":[1]})"},
      {"empty product_id", R"({"product_id":"","quantity":1})"},
      {"null product_id", R"({"product_id":null,"quantity":1})"},
      {"negative integer product_id", R"({"product_id":-3,"quantity":1})"},
      {"object product_id", R"({"product_id":{"id":"x"},"quantity":1})"},
      {"129-byte product_id", R"({"product_id":")" + std::string(129, 'x') + R"(","quantity":1})"},
      {"200 KB product_id",
       R"({"product_id":")" + std::string(200 * 1024, 'x') + R"(","quantity":1})"},
      {"escaped control char in product_id", R"({"product_id":"x\u0001y","quantity":1})"},
      {"escaped tab in product_id", R"({"product_id":"x\ty","quantity":1})"},
      {"raw tab in product_id", "{\"product_id\":\"x\ty\",\"quantity\":1}"},
      {"space in product_id", R"({"product_id":"x y","quantity":1})"},
      {"no-break space in product_id", R"({"product_id":"x\u00a0y","quantity":1})"},
      {"invalid UTF-8 in product_id", "{\"product_id\":\"x\xff\xfey\",\"quantity\":1}"},
      {"lone surrogate in product_id", R"({"product_id":"x\ud800y","quantity":1})"},
      {"body over 64 KiB",
       R"({"product_id":"x","quantity":1,"pad":")" + std::string(65 * 1024, 'p') + R"("})"},
      {"NUL after a valid object", valid + std::string(1, '\0')},
      {"NUL inside the object", std::string(R"({"product_id":"x",)") + '\0' + R"("quantity":1})"},
      {"trailing garbage", valid + " trailing"},
      {"two objects", valid + valid},
      {"truncated object", R"({"product_id":"x","quantity":1)"},
      {"duplicate quantity", R"({"product_id":"x","quantity":1,"quantity":2})"},
      {"duplicate product_id", R"({"product_id":"x","product_id":"y","quantity":1})"},
      {"negative version", R"({"product_id":"x","quantity":1,"version":-1})"},
      {"version as string", R"({"product_id":"x","quantity":1,"version":"5"})"},
      {"float version", R"({"product_id":"x","quantity":1,"version":1.5})"},
      {"deeply nested unknown field, poison quantity",
       R"({"meta":{"a":[{"b":{"c":[1,2,{"d":null,"quantity":5}]}}]},"product_id":"x","quantity":-5})"},
  };
  // Good updates, some at the edges of the contract, between every two poisons.
  std::vector<std::pair<std::string, std::string>> good = {
      {"good-zero", R"({"product_id":"good-zero","quantity":0})"},
      {"good-max", R"({"product_id":"good-max","quantity":9223372036854775807})"},
      {"777", R"({"product_id":777,"quantity":7})"},
      {std::string(128, 'L'),
       R"({"product_id":")" + std::string(128, 'L') + R"(","quantity":128})"},
      {"café-ü", R"({"product_id":"café-ü","quantity":12})"},
      {"good-unknown",
       R"({"x":{"quantity":"no","product_id":[null]},"product_id":"good-unknown","quantity":3,"n":-1.5e300})"},
      {"good-versioned", R"({"version":5,"quantity":55,"product_id":"good-versioned"})"},
  };
  std::vector<std::pair<std::string, std::int64_t>> want = {{"good-zero", 0},
                                                            {"good-max", 9223372036854775807},
                                                            {"777", 7},
                                                            {std::string(128, 'L'), 128},
                                                            {"café-ü", 12},
                                                            {"good-unknown", 3},
                                                            {"good-versioned", 55}};
  for (std::size_t i = good.size(); i < poison.size() + 1; ++i) {
    const std::string id = "good-" + std::to_string(i);
    good.emplace_back(
        id, R"({"product_id":")" + id + R"(","quantity":)" + std::to_string(i * 11) + "}");
    want.emplace_back(id, static_cast<std::int64_t>(i * 11));
  }

  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected()) << store.process().err();
  auto session = ts::TestBroker::instance().session();
  for (std::size_t i = 0; i < poison.size(); ++i) {
    ts::publish_raw(*session, queue, good[i].second);
    ts::publish_raw(*session, queue, poison[i].second);
  }
  // The last one: once it is applied, everything before it has been handled.
  ts::publish_raw(*session, queue, good[poison.size()].second);

  ASSERT_TRUE(store.wait_for(good[poison.size()].first, "quantity=")) << store.process().err();
  EXPECT_TRUE(ts::eventually([&] {
    return session->message_count(queue + ".dead") == poison.size();
  })) << session->message_count(queue + ".dead")
      << " dead-lettered of " << poison.size();
  EXPECT_EQ(session->message_count(queue), 0u);
  EXPECT_TRUE(has_quantities(store, want));
  // No poison changed the inventory: "x" (and "y") only ever appear in poison.
  EXPECT_EQ(store.ask("get x"), "PRODUCT_NOT_FOUND product=x");
  EXPECT_EQ(store.ask("get y"), "PRODUCT_NOT_FOUND product=y");

  const std::string status = store.status();
  const auto counts = counts_of(status);
  ASSERT_TRUE(counts) << status;
  EXPECT_EQ(counts->products, good.size()) << status;
  EXPECT_NE(status.find("applied " + std::to_string(good.size()) + ", stale 0, rejected " +
                        std::to_string(poison.size())),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("connected to "), std::string::npos) << status;
  // The log names rejections (rate-limited, so not necessarily each one); status counts them all.
  const std::size_t logged = count_of(store.process().err(), "rejected a message");
  EXPECT_GE(logged, 1u) << store.process().err();
  EXPECT_LE(logged, poison.size()) << store.process().err();
  EXPECT_EQ(store.process().err().find(std::string(1024, 'x')), std::string::npos)
      << "a 200 KB id was logged";

  // Still running, still consuming, still answering.
  EXPECT_FALSE(store.process().wait_exit(0ms).has_value());
  ts::publish_raw(*session, queue, R"({"product_id":"after-poison","quantity":4})");
  EXPECT_TRUE(store.wait_for("after-poison", "quantity=4"));
  EXPECT_EQ(store.ask("check good-zero 1"),
            "INSUFFICIENT_QUANTITY product=good-zero asked=1 in_stock=0");
  EXPECT_EQ(store.stop_with(SIGTERM), 0);
}

TEST(Fault, SigtermExitsZeroWithNothingLeftUnacked) {
  const std::string queue = ts::unique_queue("sigterm");
  ts::TempDir state;
  constexpr int kUpdates = 400;
  std::vector<InventoryUpdate> updates;
  std::vector<std::pair<std::string, std::int64_t>> want;
  for (int i = 0; i < kUpdates; ++i) {
    updates.push_back({"term-" + std::to_string(i), i, std::nullopt});
    want.emplace_back("term-" + std::to_string(i), i);
  }
  {
    ts::Store store(queue, {"--state-dir", state.path().string()});
    ASSERT_TRUE(store.wait_connected()) << store.process().err();
    ASSERT_EQ(publish_confirmed(queue, updates), std::size_t{kUpdates});
    // Stop as soon as the last one is visible: its ack may well still be pending.
    ASSERT_TRUE(store.wait_for("term-399", "quantity=399"));
    EXPECT_EQ(store.stop_with(SIGTERM), 0);
    EXPECT_TRUE(store.process().wait_stderr("closed the connection to")) << store.process().err();
  }
  // Unacked deliveries would be back in the queue (or still counted unacked).
  const auto left = counts_once_store_is_gone(queue);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->messages, 0u);
  EXPECT_EQ(left->unacked, 0u);

  ts::Store again(queue, {"--state-dir", state.path().string()}, kDeadBrokerUrl);
  ASSERT_TRUE(again.process().wait_stderr("restored 400 products from")) << again.process().err();
  EXPECT_TRUE(has_quantities(again, want));
  EXPECT_EQ(again.stop_with(SIGTERM), 0);
}

TEST(Fault, ConsumerCancelledWhenQueueDeletedRedeclaresAndResubscribes) {
  const std::string queue = ts::unique_queue("deleted");
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected()) << store.process().err();
  ASSERT_EQ(ts::publish({"--queue", queue, "del-1", "1"}).exit_code, 0);
  ASSERT_TRUE(store.wait_for("del-1", "quantity=1"));

  ts::TestBroker::instance().session()->delete_queue(queue);
  const auto cancelled =
      store.process().wait_stderr("cancelled our subscription to queue '" + queue + "'");
  ASSERT_TRUE(cancelled) << store.process().err();
  ASSERT_TRUE(
      store.process().wait_stderr("subscribed again to queue '" + queue + "'", 20s, *cancelled))
      << store.process().err();

  // The store declared it again (the raw publish below declares nothing: an
  // update to a missing queue would simply vanish).
  auto session = ts::TestBroker::instance().session();
  EXPECT_EQ(session->message_count(queue), 0u);
  ts::publish_raw(*session, queue, R"({"product_id":"del-2","quantity":2})");
  EXPECT_TRUE(store.wait_for("del-2", "quantity=2"));
  EXPECT_NE(store.status().find("connected to "), std::string::npos);
  EXPECT_EQ(count_of(store.process().err(), "connected to "), 1u)
      << "one connection throughout: " << store.process().err();
  EXPECT_EQ(store.stop_with(SIGTERM), 0);
}

TEST(Fault, WrongPasswordIsLoggedOnceAndRetried) {
  const std::string queue = ts::unique_queue("badpass");
  const std::string password = "Sup3rS3cretPw";
  const std::string url = "amqp://guest:" + password +
                          "@127.0.0.1:" + std::to_string(ts::TestBroker::instance().port()) + "/";
  // The broker logs every refused login: that is how we see the retries.
  const std::filesystem::path broker_log =
      std::filesystem::path(TEST_BROKER_DIR) / "log" / "broker.log";
  const auto log_from = file_size_or_zero(broker_log);
  const auto refusals = [&] {
    std::ifstream in(broker_log, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(log_from));
    std::stringstream text;
    text << in.rdbuf();
    return count_of(text.str(), "login refused: user 'guest'");
  };

  ts::Store store(queue, {"--no-state"}, url);
  ASSERT_TRUE(store.process().wait_stderr("refused the login of user 'guest'"))
      << store.process().err();
  if (std::filesystem::exists(broker_log)) {
    ASSERT_TRUE(ts::eventually([&] { return refusals() >= 3; }, 20s))
        << "retries seen by the broker: " << refusals();
  } else {
    std::this_thread::sleep_for(3500ms);  // a broker in Docker: let three retries pass
  }

  const std::string err = store.process().err();
  EXPECT_EQ(count_of(err, "refused the login"), 1u) << err;
  EXPECT_EQ(err.find(password), std::string::npos) << err;
  EXPECT_EQ(err.find("connected to "), std::string::npos) << err;

  const std::string status = store.status();
  EXPECT_NE(status.find("disconnected, retrying every 1s"), std::string::npos) << status;
  EXPECT_NE(status.find("last error:"), std::string::npos) << status;
  EXPECT_NE(status.find("refused the login of user 'guest'"), std::string::npos) << status;
  EXPECT_EQ(status.find(password), std::string::npos) << status;

  EXPECT_FALSE(store.process().wait_exit(0ms).has_value());
  EXPECT_EQ(store.ask("check 42 1"),
            "PRODUCT_NOT_FOUND product=42 asked=1 in_stock=none (may be stale: not connected to "
            "the broker)");
  EXPECT_EQ(store.stop_with(SIGINT), 0);
}

TEST(Fault, SecondStoreOnSameStateDirGetsClearError) {
  const std::string queue = ts::unique_queue("locked");
  ts::TempDir state;
  ts::Store first(queue, {"--state-dir", state.path().string()});
  ASSERT_TRUE(first.process().wait_stderr("restored 0 products from")) << first.process().err();

  const auto second =
      ts::run({ts::program("store_service"), "--url", ts::TestBroker::instance().url(), "--queue",
               queue, "--state-dir", state.path().string()},
              {{"AMQP_URL", ""}}, "", 20s);
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("in use"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("pid " + std::to_string(first.process().pid())), std::string::npos)
      << second.err;
  EXPECT_EQ(second.out, "");

  // The first one is untouched and still works, journal and all.
  ASSERT_TRUE(first.wait_connected()) << first.process().err();
  ASSERT_EQ(ts::publish({"--queue", queue, "lock-1", "6"}).exit_code, 0);
  EXPECT_TRUE(first.wait_for("lock-1", "quantity=6"));
  EXPECT_EQ(first.stop_with(SIGTERM), 0);

  // Once it is gone the state directory is free again.
  ts::Store third(queue, {"--state-dir", state.path().string()}, kDeadBrokerUrl);
  ASSERT_TRUE(third.process().wait_stderr("restored 1 products from")) << third.process().err();
  EXPECT_NE(third.ask("get lock-1").find("quantity=6"), std::string::npos);
}

TEST(Fault, TornJournalTailIsDroppedWithWarning) {
  const std::string queue = ts::unique_queue("torn");
  ts::TempDir state;
  constexpr int kUpdates = 50;
  std::vector<InventoryUpdate> updates;
  std::vector<std::pair<std::string, std::int64_t>> want;
  for (int i = 0; i < kUpdates; ++i) {
    updates.push_back({"torn-" + std::to_string(i), 10 * i, std::nullopt});
    want.emplace_back("torn-" + std::to_string(i), 10 * i);
  }
  const auto journal = journal_of(state, queue);
  {
    ts::Store store(queue, {"--state-dir", state.path().string()});
    ASSERT_TRUE(store.wait_connected()) << store.process().err();
    ASSERT_EQ(publish_confirmed(queue, updates), std::size_t{kUpdates});
    ASSERT_TRUE(store.wait_for("torn-49", "quantity=490"));
    ASSERT_TRUE(ts::eventually([&] { return everything_acked(queue); }, 30s));
    EXPECT_EQ(store.stop_with(SIGKILL), 128 + SIGKILL);
  }
  // The journal holds the acked updates (no compaction after a kill).
  ASSERT_GT(file_size_or_zero(journal), inventory::kJournalMagic.size());

  // A crash in the middle of a write: the first part of one more record.
  std::string record;
  inventory::append_record(record, "torn-extra", inventory::StockEntry{999, 0, 1});
  const std::string torn = record.substr(0, record.size() - 7);
  {
    std::ofstream out(journal, std::ios::binary | std::ios::app);
    out.write(torn.data(), static_cast<std::streamsize>(torn.size()));
    ASSERT_TRUE(out.good());
  }

  {
    ts::Store store(queue, {"--state-dir", state.path().string()});
    const auto warned = store.process().wait_stderr(
        "warning: dropped " + std::to_string(torn.size()) + " byte(s) at the end of the journal");
    ASSERT_TRUE(warned) << store.process().err();
    ASSERT_TRUE(store.process().wait_stderr("restored 50 products from", 20s, *warned))
        << store.process().err();
    EXPECT_TRUE(has_quantities(store, want));
    EXPECT_EQ(store.ask("get torn-extra").rfind("PRODUCT_NOT_FOUND product=torn-extra", 0), 0u);

    // Keeps running: connected, consuming, journaling.
    ASSERT_TRUE(store.wait_connected()) << store.process().err();
    ASSERT_EQ(ts::publish({"--queue", queue, "torn-new", "77"}).exit_code, 0);
    ASSERT_TRUE(store.wait_for("torn-new", "quantity=77"));
    ASSERT_TRUE(ts::eventually([&] { return everything_acked(queue); }, 30s));
    EXPECT_EQ(store.stop_with(SIGKILL), 128 + SIGKILL);
  }

  // The torn tail is gone for good: the next start has nothing to warn about.
  ts::Store last(queue, {"--state-dir", state.path().string()}, kDeadBrokerUrl);
  ASSERT_TRUE(last.process().wait_stderr("restored 51 products from")) << last.process().err();
  EXPECT_EQ(last.process().err().find("warning: dropped"), std::string::npos)
      << last.process().err();
  EXPECT_NE(last.ask("get torn-new").find("quantity=77"), std::string::npos);
  EXPECT_TRUE(has_quantities(last, want));
}
