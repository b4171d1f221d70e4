// inventory_publisher --file against a real broker: exact counts, bad lines by
// number, nacks, returns, exit codes 0/1/3, and flat memory on a huge file.
#include <gtest/gtest.h>

#include <fstream>

#include "inventory/errors.hpp"
#include "inventory/publisher.hpp"
#include "support/harness.hpp"

namespace ts = testing_support;
using namespace std::chrono_literals;

namespace {

std::string write_file(const ts::TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = (dir.path() / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST(Bulk, JsonLinesFileIsPublishedAndConfirmedExactly) {
  ts::TempDir dir;
  const std::string queue = ts::unique_queue("bulkjson");
  std::string text;
  for (int i = 0; i < 3000; ++i)
    text += "{\"product_id\":\"b-" + std::to_string(i % 1000) + "\",\"quantity\":" + std::to_string(i) + "}\n";
  const auto r = ts::publish({"--queue", queue, "--window", "64", "--file", write_file(dir, "u.jsonl", text)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sent 3,000, confirmed 3,000, rejected 0 lines (JSON Lines, 3,000 lines)"), std::string::npos)
      << r.out;
  auto session = ts::TestBroker::instance().session();
  EXPECT_EQ(session->message_count(queue), 3000u);

  // The store ends at each product's last line: the stamped versions keep file order.
  ts::Store store(queue, {"--no-state"});
  ASSERT_TRUE(store.wait_for("b-999", "quantity=2999"));
  EXPECT_NE(store.ask("get b-0").find("quantity=2000"), std::string::npos);
  EXPECT_NE(store.ask("get b-500").find("quantity=2500"), std::string::npos);
}

TEST(Bulk, CsvWithHeaderAndBadLinesPublishesTheGoodOnesAndExitsThree) {
  ts::TempDir dir;
  const std::string queue = ts::unique_queue("bulkcsv");
  const std::string csv =
      "product_id,quantity\n"
      "c-1,5\n"
      "c-2,-1\n"           // line 3: negative
      "\"c 3\",1\n"        // line 4: whitespace in id
      "c-4,7\n"
      "\n"                 // blank: skipped, not rejected
      "c-5,1.5\n"          // line 7: not whole
      "\"c-6\",9\r\n"      // CRLF and a quoted id are fine
      "c-7\n";             // line 9: no quantity
  const auto r = ts::publish({"--queue", queue, "--file", write_file(dir, "u.csv", csv)});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("sent 3, confirmed 3, rejected 4 lines (CSV, 9 lines)"), std::string::npos) << r.out;
  for (const char* line : {"line 3: ", "line 4: ", "line 7: ", "line 9: "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " missing in " << r.out;
  EXPECT_EQ(r.out.find("line 2: "), std::string::npos) << r.out;
  auto session = ts::TestBroker::instance().session();
  EXPECT_EQ(session->message_count(queue), 3u);
}

TEST(Bulk, StandardInputIsReadWithDash) {
  const std::string queue = ts::unique_queue("bulkstdin");
  const auto r = ts::run({ts::program("inventory_publisher"), "--url", ts::TestBroker::instance().url(), "--queue",
                          queue, "--file", "-"},
                         {}, "s-1,1\ns-2,2\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sent 2, confirmed 2"), std::string::npos) << r.out;
}

TEST(Bulk, NackedUpdatesAreReportedAndExitOne) {
  // A policy makes the broker refuse (nack) publishes beyond 5 ready messages.
  ts::TempDir dir;
  auto& broker = ts::TestBroker::instance();
  const std::string queue = ts::unique_queue("bulknack");
  const auto policy = broker.ctl({"set_policy", "--apply-to", "queues", "nack-" + queue, "^" + queue + "$",
                                  R"({"max-length":5,"overflow":"reject-publish"})"});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  std::string text;
  for (int i = 1; i <= 12; ++i) text += "n-" + std::to_string(i) + "," + std::to_string(i) + "\n";
  const auto r = ts::publish({"--queue", queue, "--window", "1", "--file", write_file(dir, "n.csv", text)});
  broker.ctl({"clear_policy", "nack-" + queue});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("sent 12, confirmed 5, nacked 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not stored by the broker (nacked or returned), lines: 6 7 8 9 10 11 12"), std::string::npos)
      << r.out;
}

TEST(Bulk, SingleUpdateNackedExitsOne) {
  auto& broker = ts::TestBroker::instance();
  const std::string queue = ts::unique_queue("onenack");
  ASSERT_EQ(broker.ctl({"set_policy", "--apply-to", "queues", "nack-" + queue, "^" + queue + "$",
                        R"({"max-length":0,"overflow":"reject-publish"})"})
                .exit_code,
            0);
  const auto r = ts::publish({"--queue", queue, "x", "1"});
  broker.ctl({"clear_policy", "nack-" + queue});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refused the update (nack)"), std::string::npos) << r.err;
}

TEST(Bulk, ReturnedMessagesAreReportedNotCounted) {
  // The queue vanishes after the publisher declared it: mandatory messages come back.
  const std::string queue = ts::unique_queue("returned");
  inventory::PublisherSettings settings;
  settings.connection.url = inventory::parse_broker_url(ts::TestBroker::instance().url());
  settings.topology.queue = queue;
  inventory::ConfirmedPublisher publisher(settings);
  publisher.publish_and_confirm(inventory::InventoryUpdate{"r", 0, 0});  // the queue exists now
  ts::TestBroker::instance().session()->delete_queue(queue);
  std::vector<inventory::PublishOutcome> outcomes;
  const auto record = [&](const inventory::ConfirmedPublisher::Settled& s) { outcomes.push_back(s.outcome); };
  publisher.publish(inventory::InventoryUpdate{"r", 1, 1}, 1, record);
  publisher.publish(inventory::InventoryUpdate{"r", 2, 2}, 2, record);
  publisher.wait_all(record);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0], inventory::PublishOutcome::kReturned);
  EXPECT_EQ(outcomes[1], inventory::PublishOutcome::kReturned);
  EXPECT_THROW(publisher.publish_and_confirm(inventory::InventoryUpdate{"r", 3, 3}), inventory::PublishRejected);
}

TEST(Bulk, BadArgumentsPublishNothing) {
  const std::string queue = ts::unique_queue("bulkargs");
  EXPECT_EQ(ts::publish({"--queue", queue, "--file", "/nonexistent/file"}).exit_code, 2);
  EXPECT_EQ(ts::publish({"--queue", queue, "--file", "-", "x", "1"}).exit_code, 2);
  EXPECT_EQ(ts::publish({"--queue", queue, "--window", "0", "--file", "-"}).exit_code, 2);
}

TEST(Bulk, MemoryStaysFlatOnAFileOfMillionsOfLines) {
  // Two million lines, every one rejected: the reader and the report must not grow
  // with the file (a few good lines at the end prove it was read to the end).
  ts::TempDir dir;
  const std::string queue = ts::unique_queue("bulkflat");
  const auto path = (dir.path() / "big.csv").string();
  {
    std::ofstream out(path);
    std::string chunk;
    for (int i = 0; i < 2'000'000; ++i) {
      chunk += "bad id " + std::to_string(i) + ",1\n";
      if (chunk.size() > (1 << 20)) {
        out << chunk;
        chunk.clear();
      }
    }
    out << chunk << "good-1,1\ngood-2,2\n";
  }
  const auto r = ts::publish({"--queue", queue, "--file", path});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("sent 2, confirmed 2, rejected 2,000,000 lines"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("... and 1,999,980 more rejected lines"), std::string::npos) << r.out;
  EXPECT_LT(r.max_rss_kb, 32 * 1024) << "peak RSS " << r.max_rss_kb << " KiB";
}
