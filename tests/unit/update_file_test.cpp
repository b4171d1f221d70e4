// Reading a file of updates (SPEC 4 --file): format detection, CSV fields and
// header, JSON Lines through the message contract, line reading, the summary.
#include "inventory/update_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "inventory/bulk_publish.hpp"

namespace inventory {
namespace {

using Kind = UpdateLineParser::Result::Kind;

TEST(UpdateLineParser, FirstLineStartingWithBraceMeansJsonLines) {
  UpdateLineParser p;
  auto r = p.parse(R"({"product_id":7,"quantity":3,"version":9})");
  EXPECT_EQ(p.format(), FileFormat::kJsonLines);
  ASSERT_EQ(r.kind, Kind::kUpdate);
  EXPECT_EQ(r.update, (InventoryUpdate{"7", 3, 9}));
  // Later lines are JSON too, even if they look like CSV.
  r = p.parse("a,1");
  EXPECT_EQ(r.kind, Kind::kRejected);
  EXPECT_NE(r.error.find("not valid JSON"), std::string::npos) << r.error;
}

TEST(UpdateLineParser, JsonLinesApplyEveryContractRule) {
  UpdateLineParser p;
  EXPECT_EQ(p.parse(R"({"product_id":"a","quantity":1})").kind, Kind::kUpdate);
  const auto r = p.parse(R"({"product_id":"a","quantity":-1})");
  EXPECT_EQ(r.kind, Kind::kRejected);
  EXPECT_EQ(r.error, "quantity must not be negative");
}

TEST(UpdateLineParser, CsvHeaderIsSkippedOnlyOnTheFirstLine) {
  UpdateLineParser p;
  EXPECT_EQ(p.parse("Product_ID , Quantity").kind, Kind::kSkip);
  EXPECT_EQ(p.format(), FileFormat::kCsv);
  EXPECT_EQ(p.parse("product_id,quantity").kind, Kind::kRejected);  // a second header is a bad line
}

TEST(UpdateLineParser, CsvWithoutHeaderStartsWithData) {
  UpdateLineParser p;
  const auto r = p.parse("sku-1,5");
  ASSERT_EQ(r.kind, Kind::kUpdate);
  EXPECT_EQ(r.update, (InventoryUpdate{"sku-1", 5, std::nullopt}));
}

TEST(UpdateLineParser, CsvVersionColumn) {
  UpdateLineParser p;
  EXPECT_EQ(p.parse("product_id,quantity,version").kind, Kind::kSkip);
  auto r = p.parse("a,1,42");
  ASSERT_EQ(r.kind, Kind::kUpdate);
  EXPECT_EQ(r.update.version, 42u);
  r = p.parse("a,1,");
  ASSERT_EQ(r.kind, Kind::kUpdate);
  EXPECT_FALSE(r.update.version.has_value());
  r = p.parse("a,1,x");
  EXPECT_EQ(r.kind, Kind::kRejected);
}

TEST(UpdateLineParser, CsvQuotedFields) {
  UpdateLineParser p;
  auto r = p.parse(R"("q""1", 4)");
  ASSERT_EQ(r.kind, Kind::kUpdate) << r.error;
  EXPECT_EQ(r.update.product_id, "q\"1");
  EXPECT_EQ(r.update.quantity, 4);
  EXPECT_EQ(p.parse(R"("unterminated,4)").error, "unterminated quote");
  EXPECT_EQ(p.parse(R"("a"x,4)").error, "text after a closing quote");
}

TEST(UpdateLineParser, CsvBadFieldsAreRejectedWithAReason) {
  UpdateLineParser p;
  EXPECT_EQ(p.parse("x,1").kind, Kind::kUpdate);
  EXPECT_EQ(p.parse("only-an-id").error, "expected product_id,quantity");
  EXPECT_EQ(p.parse("a b,1").error, "product_id contains whitespace");
  EXPECT_EQ(p.parse(",1").error, "product_id must not be empty");
  EXPECT_NE(p.parse("a,-1").error.find("quantity must be a whole number"), std::string::npos);
  EXPECT_NE(p.parse("a,1.5").error.find("quantity must be a whole number"), std::string::npos);
  EXPECT_NE(p.parse("a,9223372036854775808").error.find("quantity"), std::string::npos);
  EXPECT_NE(p.parse("a,1,2,3").error.find("more than 3 fields"), std::string::npos);
}

TEST(UpdateLineParser, BlankLinesAndCarriageReturnsAreNotUpdates) {
  UpdateLineParser p;
  EXPECT_EQ(p.parse("").kind, Kind::kSkip);
  EXPECT_EQ(p.parse("   \t").kind, Kind::kSkip);
  EXPECT_EQ(p.format(), FileFormat::kUnknown);
  const auto r = p.parse("a,1\r");
  ASSERT_EQ(r.kind, Kind::kUpdate);
  EXPECT_EQ(r.update.quantity, 1);
}

TEST(LineReader, SplitsLinesAcrossChunksAndKeepsALastLineWithoutNewline) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string big(100000, 'x');  // longer than one read chunk
  const std::string text = "one\n\n" + big + "\nlast";
  std::thread writer([&] {
    (void)!::write(fds[1], text.data(), text.size());
    ::close(fds[1]);
  });
  LineReader reader(fds[0]);
  std::vector<std::string> lines;
  while (auto line = reader.next()) lines.emplace_back(*line);
  writer.join();
  ::close(fds[0]);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "one");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], big);
  EXPECT_EQ(lines[3], "last");
  EXPECT_EQ(reader.bytes_read(), text.size());
}

TEST(BulkReport, ExitCodesFollowTheSpec) {
  BulkReport r;
  EXPECT_EQ(r.exit_code(), 0);
  r.rejected_count = 1;
  EXPECT_EQ(r.exit_code(), 3);
  r.nacked = 1;
  EXPECT_EQ(r.exit_code(), 1);
  r.nacked = 0;
  r.link_error = "gone";
  EXPECT_EQ(r.exit_code(), 1);
}

TEST(BulkReport, SummaryCountsListsAndGroupsThousands) {
  BulkReport r;
  r.format = FileFormat::kCsv;
  r.lines = 1234567;
  r.sent = 12;
  r.confirmed = 1000;
  r.rejected_count = 3;
  r.rejected = {{2, "bad"}, {5, "worse"}, {9, "worst"}};
  r.seconds = 2;
  const std::string s = r.summary(2);
  EXPECT_NE(s.find("sent 12, confirmed 1,000, rejected 3 lines (CSV, 1,234,567 lines) in 2.00 s (500 updates/s)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("  line 2: bad\n  line 5: worse\n  ... and 1 more rejected lines\n"), std::string::npos) << s;
}

TEST(BulkReport, ProgressLineShowsPercentWhenTheSizeIsKnown) {
  BulkReport r;
  r.lines = 50;
  r.confirmed = 40;
  r.seconds = 1;
  EXPECT_NE(progress_line(r, 50, 100, 100).find(" 50%"), std::string::npos);
  EXPECT_EQ(progress_line(r, 50, 0, 100).find('%'), std::string::npos);
  EXPECT_LE(progress_line(r, 50, 100, 30).size(), 30u);
}

}  // namespace
}  // namespace inventory
