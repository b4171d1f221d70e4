// The two programs against a real broker: what a person sees when they run them.
#include <gtest/gtest.h>
#include <signal.h>

#include "inventory/errors.hpp"
#include "support/harness.hpp"

namespace ts = testing_support;
using namespace std::chrono_literals;

TEST(EndToEnd, PublishedUpdateIsAnsweredByCheck) {
  const std::string queue = ts::unique_queue("e2e");
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected()) << store.process().err();

  const auto sent = ts::publish({"--queue", queue, "sku-1", "10"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("confirmed"), std::string::npos) << sent.out;
  EXPECT_NE(sent.out.find("product=sku-1 quantity=10"), std::string::npos) << sent.out;

  ASSERT_TRUE(store.wait_for("sku-1", "quantity=10"));
  EXPECT_EQ(store.ask("check sku-1 10"), "AVAILABLE product=sku-1 asked=10 in_stock=10");
  EXPECT_EQ(store.ask("sku-1 11"), "INSUFFICIENT_QUANTITY product=sku-1 asked=11 in_stock=10");
  EXPECT_EQ(store.ask("check sku-2 1"), "PRODUCT_NOT_FOUND product=sku-2 asked=1 in_stock=none");
  EXPECT_EQ(store.ask("check sku-1 0"), "INVALID_QUANTITY product=sku-1 asked=0 in_stock=10");

  // An update sets the level, it does not add to it.
  ASSERT_EQ(ts::publish({"--queue", queue, "sku-1", "3"}).exit_code, 0);
  ASSERT_TRUE(store.wait_for("sku-1", "quantity=3"));
  EXPECT_EQ(store.stop_with(SIGTERM), 0);
}

TEST(EndToEnd, IntegerAndStringIdsNameTheSameProduct) {
  const std::string queue = ts::unique_queue("ids");
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected());
  auto session = ts::TestBroker::instance().session();
  ts::publish_raw(*session, queue, R"({"product_id": "123", "quantity": 4})");
  ASSERT_TRUE(store.wait_for("123", "quantity=4"));
  ts::publish_raw(*session, queue, R"({"product_id": 123, "quantity": 9})");
  ASSERT_TRUE(store.wait_for("123", "quantity=9"));
  const std::string status = store.status();
  EXPECT_NE(status.find("products:     1\n"), std::string::npos) << status;
}

TEST(EndToEnd, OriginalPythonFormatIsApplied) {
  // The original publisher: integer id, no version, not persistent.
  const std::string queue = ts::unique_queue("orig");
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected());
  auto session = ts::TestBroker::instance().session();
  ts::publish_raw(*session, queue, R"({"product_id": 456, "quantity": 7})", /*persistent=*/false);
  ASSERT_TRUE(store.wait_for("456", "quantity=7"));
  EXPECT_EQ(store.ask("456 7"), "AVAILABLE product=456 asked=7 in_stock=7");
}

TEST(EndToEnd, PoisonGoesToDeadLetterQueueAndNextGoodUpdateIsApplied) {
  const std::string queue = ts::unique_queue("poison");
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected());
  auto session = ts::TestBroker::instance().session();
  ts::publish_raw(*session, queue, "this is not json");
  ts::publish_raw(*session, queue, R"({"product_id": "p", "quantity": -1})");
  ts::publish_raw(*session, queue, R"({"product_id": "p", "quantity": 5})");
  ASSERT_TRUE(store.wait_for("p", "quantity=5"));
  EXPECT_TRUE(ts::eventually([&] { return session->message_count(queue + ".dead") == 2; }));
  EXPECT_EQ(session->message_count(queue), 0u);
  const std::string status = store.status();
  EXPECT_NE(status.find("applied 1, stale 0, rejected 2"), std::string::npos) << status;
  EXPECT_NE(store.process().err().find("rejected a message"), std::string::npos);
  EXPECT_EQ(store.stop_with(SIGTERM), 0);
}

TEST(EndToEnd, PipedStoreExitsZeroAtEndOfInput) {
  const std::string queue = ts::unique_queue("eof");
  ts::Store store(queue, {"--no-state"});
  EXPECT_EQ(store.ask("check nothing 1").rfind("PRODUCT_NOT_FOUND product=nothing asked=1 in_stock=none", 0), 0u);
  EXPECT_EQ(store.ask("frobnicate"), "error: unknown command 'frobnicate' (type 'help' for the list)");
  store.process().close_stdin();
  EXPECT_EQ(store.process().wait_exit(20s), 0);
}

TEST(EndToEnd, StoreAnswersAtOnceWhenBrokerIsUnreachable) {
  // Nothing listens on port 1: the prompt must not wait for the broker.
  const std::string queue = ts::unique_queue("down");
  ts::Store store(queue, {"--no-state"}, "amqp://guest:guest@127.0.0.1:1/");
  const std::string answer = store.ask("check 42 1", 3s);
  EXPECT_EQ(answer, "PRODUCT_NOT_FOUND product=42 asked=1 in_stock=none (may be stale: not connected to the broker)");
  const std::string status = store.status();
  EXPECT_NE(status.find("disconnected, retrying every 1s"), std::string::npos) << status;
  EXPECT_EQ(status.find("guest:guest"), std::string::npos) << "password shown: " << status;
  EXPECT_EQ(store.stop_with(SIGINT), 0);
}

TEST(EndToEnd, StoreStartedBeforeBrokerConnectsOnceItIsUp) {
  ts::BrokerRunningAtEnd guard;
  auto& broker = ts::TestBroker::instance();
  const std::string queue = ts::unique_queue("late");
  broker.stop();
  ts::Store store(queue, {"--no-state"});
  EXPECT_NE(store.status().find("disconnected, retrying"), std::string::npos);
  broker.start();
  ASSERT_TRUE(store.wait_connected(30s)) << store.process().err();
  ASSERT_EQ(ts::publish({"--queue", queue, "late-1", "2"}).exit_code, 0);
  EXPECT_TRUE(store.wait_for("late-1", "quantity=2"));
}

TEST(EndToEnd, StoreReconnectsAfterBrokerRestartAndKeepsItsMap) {
  ts::BrokerRunningAtEnd guard;
  auto& broker = ts::TestBroker::instance();
  const std::string queue = ts::unique_queue("restart");
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_connected());
  ASSERT_EQ(ts::publish({"--queue", queue, "before", "1"}).exit_code, 0);
  ASSERT_TRUE(store.wait_for("before", "quantity=1"));

  broker.restart();
  ASSERT_TRUE(store.process().wait_stderr("lost the connection", 30s)) << store.process().err();
  ASSERT_TRUE(store.wait_connected(40s, 2)) << store.process().err();
  EXPECT_NE(store.ask("get before").find("quantity=1"), std::string::npos);
  ASSERT_EQ(ts::publish({"--queue", queue, "after", "2"}).exit_code, 0);
  EXPECT_TRUE(store.wait_for("after", "quantity=2"));
}

TEST(Publisher, BadArgumentsExitTwoAndPublishNothing) {
  const std::string queue = ts::unique_queue("badargs");
  auto session = ts::TestBroker::instance().session();
  session->declare_topology(inventory::Topology{queue});
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"abc", "-5"}, {"abc", "1.5"}, {"abc", "abc"}, {"", "1"}, {"abc"}, {"a b", "1"},
           {"abc", "9223372036854775808"}, {"abc", "1", "extra"}, {"--no-such-option", "a", "1"}}) {
    std::vector<std::string> full = {"--queue", queue};
    full.insert(full.end(), args.begin(), args.end());
    const auto r = ts::publish(full);
    EXPECT_EQ(r.exit_code, 2) << "args: " << (args.empty() ? "" : args[0]) << " " << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
  EXPECT_EQ(session->message_count(queue), 0u);
}

TEST(Publisher, UnreachableBrokerFailsFastWithTheAddressAndNoPassword) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = ts::publish({"--connect-timeout", "2", "x", "1"}, "amqp://guest:s3cret@127.0.0.1:1/");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_NE(r.err.find("amqp://guest@127.0.0.1:1/"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

TEST(Publisher, WrongPasswordExitsOneAndNamesTheUser) {
  const auto& broker = ts::TestBroker::instance();
  const auto r = ts::publish({"x", "1"}, "amqp://guest:wrong@127.0.0.1:" + std::to_string(broker.port()) + "/");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("user 'guest'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong"), std::string::npos) << r.err;
}

TEST(Publisher, QueueWithOtherSettingsGetsAClearError) {
  // The original Python project's queue: not durable, no dead-letter route.
  const std::string queue = ts::unique_queue("mismatch");
  const auto made = ts::run({"/usr/bin/amqp-declare-queue", "--url=" + ts::TestBroker::instance().url(), "-q", queue});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto r = ts::publish({"--queue", queue, "x", "1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("queue '" + queue + "' already exists with other settings"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("durable"), std::string::npos) << r.err;
}

TEST(EndToEnd, AmqpsWithTheBrokersCaWorksAndWithoutItFailsClearly) {
  const auto& broker = ts::TestBroker::instance();
  if (broker.tls_port() == 0) GTEST_SKIP() << "this broker has no TLS listener";
  const std::string queue = ts::unique_queue("tls");
  const std::string url = "amqps://guest:guest@localhost:" + std::to_string(broker.tls_port());
  const auto ok = ts::publish({"--queue", queue, "--cacert", broker.cacert(), "tls-1", "4"}, url);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("broker=amqps://guest@localhost:"), std::string::npos) << ok.out;

  const auto unverified = ts::publish({"--queue", queue, "tls-2", "4"}, url);
  EXPECT_EQ(unverified.exit_code, 1);
  EXPECT_NE(unverified.err.find("TLS with RabbitMQ at amqps://guest@localhost:"), std::string::npos) << unverified.err;
  EXPECT_NE(unverified.err.find("--cacert"), std::string::npos) << unverified.err;

  ts::Store store(queue, {"--no-state", "--cacert", broker.cacert()}, url);
  ASSERT_TRUE(store.wait_connected()) << store.process().err();
  EXPECT_TRUE(store.wait_for("tls-1", "quantity=4"));
}

TEST(EndToEnd, SighupShutsDownCleanlyWithExitZero) {
  // A closed terminal sends SIGHUP: the same clean exit as SIGTERM, state written.
  ts::TempDir dir;
  const std::string queue = ts::unique_queue("hup");
  ts::Store store(queue, {"--state-dir", dir.path().string()});
  ASSERT_TRUE(store.wait_connected());
  ASSERT_EQ(ts::publish({"--queue", queue, "hup-1", "3"}).exit_code, 0);
  ASSERT_TRUE(store.wait_for("hup-1", "quantity=3"));
  EXPECT_EQ(store.stop_with(SIGHUP), 0);
  EXPECT_NE(store.process().err().find("closed the connection"), std::string::npos) << store.process().err();
  ts::Store again(queue, {"--state-dir", dir.path().string()}, "amqp://guest:guest@127.0.0.1:1/");
  EXPECT_EQ(again.ask("get hup-1").rfind("product=hup-1 quantity=3", 0), 0u);
}
