// The store's prompt language (SPEC 5): parsing every command form, the
// answers Console::run writes, the stale note, and tab completion.
#include "inventory/console.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace inventory {
namespace {

// ---- parse_command -------------------------------------------------------------------

TEST(ParseCommand, BlankLineIsNone) {
  EXPECT_EQ(parse_command("").kind, CommandKind::kNone);
  EXPECT_EQ(parse_command("   ").kind, CommandKind::kNone);
  EXPECT_EQ(parse_command(" \t \r\n").kind, CommandKind::kNone);
}

TEST(ParseCommand, Check) {
  const Command c = parse_command("check sku-1 5");
  EXPECT_EQ(c.kind, CommandKind::kCheck);
  EXPECT_EQ(c.product_id, "sku-1");
  EXPECT_EQ(c.quantity, 5);
  EXPECT_TRUE(c.error.empty());
}

TEST(ParseCommand, CheckToleratesExtraWhitespace) {
  const Command c = parse_command("  check\t sku-1   5  \r\n");
  EXPECT_EQ(c.kind, CommandKind::kCheck);
  EXPECT_EQ(c.product_id, "sku-1");
  EXPECT_EQ(c.quantity, 5);
}

TEST(ParseCommand, BareIdAndQuantityIsCheck) {
  const Command c = parse_command("42 5");
  EXPECT_EQ(c.kind, CommandKind::kCheck);
  EXPECT_EQ(c.product_id, "42");
  EXPECT_EQ(c.quantity, 5);
}

TEST(ParseCommand, CheckWithNegativeOrZeroQuantityParses) {
  const Command neg = parse_command("check a -3");
  EXPECT_EQ(neg.kind, CommandKind::kCheck);
  EXPECT_EQ(neg.quantity, -3);
  const Command zero = parse_command("a 0");
  EXPECT_EQ(zero.kind, CommandKind::kCheck);
  EXPECT_EQ(zero.quantity, 0);
  EXPECT_EQ(parse_command("check a -9223372036854775808").quantity, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_command("check a 9223372036854775807").quantity, std::numeric_limits<std::int64_t>::max());
}

TEST(ParseCommand, CheckWithNonNumericQuantityIsInvalid) {
  const Command c = parse_command("check x abc");
  EXPECT_EQ(c.kind, CommandKind::kInvalid);
  EXPECT_NE(c.error.find("whole number"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("abc"), std::string::npos) << c.error;
  for (std::string_view line : {"check x 1.5", "check x +5", "check x 5x", "check x --5", "check x 1e3", "x abc"})
    EXPECT_EQ(parse_command(line).kind, CommandKind::kInvalid) << line;
}

TEST(ParseCommand, CheckWithOutOfRangeQuantityIsInvalid) {
  const Command c = parse_command("check x 99999999999999999999");
  EXPECT_EQ(c.kind, CommandKind::kInvalid);
  EXPECT_NE(c.error.find("out of range"), std::string::npos) << c.error;
  EXPECT_EQ(parse_command("check x -99999999999999999999").kind, CommandKind::kInvalid);
  EXPECT_EQ(parse_command("x 9223372036854775808").kind, CommandKind::kInvalid);
}

TEST(ParseCommand, LoneMinusQuantityIsNotAWholeNumber) {
  const Command c = parse_command("check x -");
  EXPECT_EQ(c.kind, CommandKind::kInvalid);
  EXPECT_NE(c.error.find("whole number"), std::string::npos) << c.error;
}

TEST(ParseCommand, CheckWithWrongArityIsUsage) {
  for (std::string_view line : {"check", "check a", "check a 1 2", "check a 1 2 3", "check a 1 2 3 4 5"}) {
    const Command c = parse_command(line);
    EXPECT_EQ(c.kind, CommandKind::kInvalid) << line;
    EXPECT_NE(c.error.find("usage: check PRODUCT_ID QUANTITY"), std::string::npos) << line << ": " << c.error;
  }
}

TEST(ParseCommand, Get) {
  const Command c = parse_command("get sku-1");
  EXPECT_EQ(c.kind, CommandKind::kGet);
  EXPECT_EQ(c.product_id, "sku-1");
}

TEST(ParseCommand, GetWithWrongArityIsUsage) {
  for (std::string_view line : {"get", "get a b", "get a b c d e"}) {
    const Command c = parse_command(line);
    EXPECT_EQ(c.kind, CommandKind::kInvalid) << line;
    EXPECT_NE(c.error.find("usage: get"), std::string::npos) << c.error;
  }
}

TEST(ParseCommand, ListAlone) {
  const Command c = parse_command("list");
  EXPECT_EQ(c.kind, CommandKind::kList);
  EXPECT_EQ(c.prefix, "");
  EXPECT_EQ(c.limit, kDefaultListLimit);
}

TEST(ParseCommand, ListWithPrefix) {
  const Command c = parse_command("list sku-");
  EXPECT_EQ(c.kind, CommandKind::kList);
  EXPECT_EQ(c.prefix, "sku-");
  EXPECT_EQ(c.limit, kDefaultListLimit);
}

TEST(ParseCommand, ListWithLimit) {
  const Command c = parse_command("list -n 7");
  EXPECT_EQ(c.kind, CommandKind::kList);
  EXPECT_EQ(c.prefix, "");
  EXPECT_EQ(c.limit, 7u);
}

TEST(ParseCommand, ListWithPrefixAndLimit) {
  const Command c = parse_command("list sku- -n 20");
  EXPECT_EQ(c.kind, CommandKind::kList);
  EXPECT_EQ(c.prefix, "sku-");
  EXPECT_EQ(c.limit, 20u);
}

TEST(ParseCommand, ListWithBadLimitIsInvalid) {
  for (std::string_view line : {"list -n 0", "list -n abc", "list -n -1", "list p -n 1.5"}) {
    const Command c = parse_command(line);
    EXPECT_EQ(c.kind, CommandKind::kInvalid) << line;
    EXPECT_NE(c.error.find("limit"), std::string::npos) << line << ": " << c.error;
  }
}

TEST(ParseCommand, ListWithWrongShapeIsUsage) {
  for (std::string_view line : {"list -n", "list p -n", "list p q", "list p -n 5 extra", "list -n 5 p", "list p -x 5"}) {
    const Command c = parse_command(line);
    EXPECT_EQ(c.kind, CommandKind::kInvalid) << line;
    EXPECT_NE(c.error.find("usage: list"), std::string::npos) << line << ": " << c.error;
  }
}

TEST(ParseCommand, StatusHelpQuitExit) {
  EXPECT_EQ(parse_command("status").kind, CommandKind::kStatus);
  EXPECT_EQ(parse_command("help").kind, CommandKind::kHelp);
  EXPECT_EQ(parse_command("quit").kind, CommandKind::kQuit);
  EXPECT_EQ(parse_command("exit").kind, CommandKind::kQuit);
  EXPECT_EQ(parse_command("  quit  ").kind, CommandKind::kQuit);
}

TEST(ParseCommand, NoArgumentCommandsRejectArguments) {
  for (std::string_view verb : {"status", "help", "quit", "exit"}) {
    const Command c = parse_command(std::string(verb) + " now");
    EXPECT_EQ(c.kind, CommandKind::kInvalid) << verb;
    EXPECT_EQ(c.error, "usage: " + std::string(verb));
  }
}

TEST(ParseCommand, UnknownWordIsInvalid) {
  const Command c = parse_command("frobnicate");
  EXPECT_EQ(c.kind, CommandKind::kInvalid);
  EXPECT_NE(c.error.find("unknown command 'frobnicate'"), std::string::npos) << c.error;
  EXPECT_NE(c.error.find("help"), std::string::npos) << c.error;
}

TEST(ParseCommand, ThreeUnknownWordsAreInvalid) {
  const Command c = parse_command("a b c");
  EXPECT_EQ(c.kind, CommandKind::kInvalid);
  EXPECT_NE(c.error.find("unknown command 'a'"), std::string::npos) << c.error;
}

TEST(ParseCommand, CommandsAreCaseSensitive) {
  // "CHECK a 1" is three words that are not a command; "QUIT" is one.
  EXPECT_EQ(parse_command("CHECK a 1").kind, CommandKind::kInvalid);
  EXPECT_EQ(parse_command("QUIT").kind, CommandKind::kInvalid);
}

// ---- Console::run ------------------------------------------------------------------------

constexpr std::int64_t kT0 = 1'700'000'000'000'000;

class ConsoleRun : public ::testing::Test {
 protected:
  ConsoleRun() : status_("amqp://guest@mq.example:5672/", "inventory_updates", "inventory_updates.dead",
                         "/var/lib/store/inventory_updates", 5000) {
    inventory_.apply({"sku-1", 10, 5}, now_us());
    inventory_.apply({"sku-2", 0, std::nullopt}, now_us());
    inventory_.apply({"42", 3, std::nullopt}, now_us());
  }

  // Runs `line` expecting the console to go on, and returns what it wrote.
  std::string run(std::string_view line, ConsoleStyle style = {}) {
    Console console(inventory_, status_, style);
    std::string out;
    EXPECT_TRUE(console.run(line, out)) << line;
    return out;
  }

  static std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      if (end == std::string::npos) {
        lines.push_back(text.substr(start));
        break;
      }
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  static std::string first_word(const std::string& text) { return text.substr(0, text.find_first_of(" \n")); }

  void connect() { status_.set_connected(now_us()); }

  Inventory inventory_;
  StoreStatus status_;
};

TEST_F(ConsoleRun, CheckAvailable) {
  connect();
  EXPECT_EQ(run("check sku-1 10"), "AVAILABLE product=sku-1 asked=10 in_stock=10\n");
}

TEST_F(ConsoleRun, CheckInsufficient) {
  connect();
  EXPECT_EQ(run("check sku-1 11"), "INSUFFICIENT_QUANTITY product=sku-1 asked=11 in_stock=10\n");
  EXPECT_EQ(run("check sku-2 1"), "INSUFFICIENT_QUANTITY product=sku-2 asked=1 in_stock=0\n");
}

TEST_F(ConsoleRun, CheckNotFound) {
  connect();
  EXPECT_EQ(run("check nope 1"), "PRODUCT_NOT_FOUND product=nope asked=1 in_stock=none\n");
}

TEST_F(ConsoleRun, CheckInvalidQuantity) {
  connect();
  EXPECT_EQ(run("check sku-1 0"), "INVALID_QUANTITY product=sku-1 asked=0 in_stock=10\n");
  EXPECT_EQ(run("check sku-1 -4"), "INVALID_QUANTITY product=sku-1 asked=-4 in_stock=10\n");
  EXPECT_EQ(run("check nope -1"), "INVALID_QUANTITY product=nope asked=-1 in_stock=none\n");
}

TEST_F(ConsoleRun, BareIdAndQuantityAnswersLikeCheck) {
  connect();
  EXPECT_EQ(run("42 3"), run("check 42 3"));
  EXPECT_EQ(run("42 3"), "AVAILABLE product=42 asked=3 in_stock=3\n");
}

TEST_F(ConsoleRun, CheckSaysDataMayBeStaleWhileDisconnected) {
  ASSERT_EQ(status_.link(), LinkState::kDisconnected);
  const std::string out = run("check sku-1 1");
  EXPECT_EQ(first_word(out), "AVAILABLE");
  EXPECT_NE(out.find("in_stock=10"), std::string::npos) << out;
  EXPECT_NE(out.find("(may be stale"), std::string::npos) << out;
  EXPECT_EQ(lines_of(out).size(), 1u);
  EXPECT_EQ(out.back(), '\n');
}

TEST_F(ConsoleRun, StaleNoteGoesAwayWhenConnectedAndComesBackOnDisconnect) {
  connect();
  EXPECT_EQ(run("check sku-1 1").find("may be stale"), std::string::npos);
  status_.set_disconnected(now_us(), "connection reset");
  EXPECT_NE(run("check sku-1 1").find("(may be stale"), std::string::npos);
}

TEST_F(ConsoleRun, GetFound) {
  connect();
  const std::string out = run("get sku-1");
  EXPECT_EQ(first_word(out), "product=sku-1");
  EXPECT_NE(out.find(" quantity=10 "), std::string::npos) << out;
  EXPECT_NE(out.find(" version=5 "), std::string::npos) << out;
  EXPECT_NE(out.find(" age="), std::string::npos) << out;
  EXPECT_EQ(lines_of(out).size(), 1u);
  EXPECT_EQ(out.find("may be stale"), std::string::npos) << out;
}

TEST_F(ConsoleRun, GetUnversionedSaysVersionNone) {
  connect();
  EXPECT_NE(run("get 42").find(" version=none "), std::string::npos);
}

TEST_F(ConsoleRun, GetNotFound) {
  connect();
  EXPECT_EQ(run("get nope"), "PRODUCT_NOT_FOUND product=nope\n");
}

TEST_F(ConsoleRun, GetSaysDataMayBeStaleWhileDisconnected) {
  EXPECT_NE(run("get sku-1").find("(may be stale"), std::string::npos);
  EXPECT_NE(run("get nope").find("(may be stale"), std::string::npos);
}

TEST_F(ConsoleRun, ListShowsHeaderRowsInIdOrderAndSummary) {
  connect();
  const auto lines = lines_of(run("list"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(first_word(lines[0]), "PRODUCT");
  EXPECT_NE(lines[0].find("QUANTITY"), std::string::npos);
  EXPECT_EQ(first_word(lines[1]), "42");
  EXPECT_EQ(first_word(lines[2]), "sku-1");
  EXPECT_EQ(first_word(lines[3]), "sku-2");
  EXPECT_NE(lines[2].find(" 10 "), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(" 5 "), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(" - "), std::string::npos) << lines[3];  // no version
  EXPECT_EQ(lines[4], "3 products");
}

TEST_F(ConsoleRun, ListWithPrefix) {
  connect();
  const auto lines = lines_of(run("list sku"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(first_word(lines[1]), "sku-1");
  EXPECT_EQ(first_word(lines[2]), "sku-2");
  EXPECT_EQ(lines[3], "2 products starting with 'sku'");
}

TEST_F(ConsoleRun, ListWithLimitSaysHowManyAreNotShown) {
  connect();
  const auto lines = lines_of(run("list -n 1"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(first_word(lines[1]), "42");
  EXPECT_EQ(first_word(lines[2]), "3");
  EXPECT_NE(lines[2].find("2 not shown"), std::string::npos) << lines[2];
}

TEST_F(ConsoleRun, ListMatchingNothingIsOneLine) {
  connect();
  EXPECT_EQ(run("list zzz"), "0 products starting with 'zzz'\n");
}

TEST_F(ConsoleRun, ListSingularProduct) {
  connect();
  EXPECT_EQ(lines_of(run("list 4")).back(), "1 product starting with '4'");
}

TEST_F(ConsoleRun, ListSaysDataMayBeStaleWhileDisconnected) {
  EXPECT_NE(lines_of(run("list")).back().find("(may be stale"), std::string::npos);
}

TEST_F(ConsoleRun, StatusWhileConnected) {
  connect();
  inventory_.apply({"sku-1", 1, 4}, now_us());  // stale
  status_.count_rejected();
  const std::string out = run("status");
  EXPECT_EQ(first_word(out), "link:");
  EXPECT_NE(out.find("connected to amqp://guest@mq.example:5672/"), std::string::npos) << out;
  EXPECT_EQ(out.find("disconnected"), std::string::npos) << out;
  EXPECT_NE(out.find("inventory_updates (poison goes to inventory_updates.dead)"), std::string::npos) << out;
  EXPECT_NE(out.find("products:"), std::string::npos) << out;
  EXPECT_NE(out.find("applied 3, stale 1, rejected 1"), std::string::npos) << out;
  EXPECT_NE(out.find("last update:"), std::string::npos) << out;
  EXPECT_NE(out.find("/var/lib/store/inventory_updates"), std::string::npos) << out;
}

TEST_F(ConsoleRun, StatusWhileDisconnectedSaysRetryingAndWhy) {
  status_.set_disconnected(now_us(), "connection refused");
  const std::string out = run("status");
  EXPECT_NE(out.find("disconnected, retrying every 5s"), std::string::npos) << out;
  EXPECT_NE(out.find("amqp://guest@mq.example:5672/"), std::string::npos) << out;
  EXPECT_NE(out.find("last error:"), std::string::npos) << out;
  EXPECT_NE(out.find("connection refused"), std::string::npos) << out;
}

TEST_F(ConsoleRun, StatusWithNoUpdatesSaysNoneYet) {
  Inventory empty;
  Console console(empty, status_);
  std::string out;
  EXPECT_TRUE(console.run("status", out));
  EXPECT_NE(out.find("none yet"), std::string::npos) << out;
  EXPECT_NE(out.find("applied 0, stale 0, rejected 0"), std::string::npos) << out;
}

TEST_F(ConsoleRun, HelpListsEveryCommandAndTheFourAnswers) {
  const std::string out = run("help");
  for (std::string_view name : kCommandNames) EXPECT_NE(out.find(name), std::string::npos) << name;
  for (std::string_view answer : {"AVAILABLE", "INSUFFICIENT_QUANTITY", "PRODUCT_NOT_FOUND", "INVALID_QUANTITY"})
    EXPECT_NE(out.find(answer), std::string::npos) << answer;
}

TEST_F(ConsoleRun, HelpFitsEightyColumnsWithExamplesInOneColumn) {
  const auto lines = lines_of(run("help"));
  ASSERT_GE(lines.size(), kCommandNames.size());
  std::size_t example_column = std::string::npos;
  for (const auto& line : lines) {
    EXPECT_LE(line.size(), 80u) << line;
    if (line.rfind("  ", 0) != 0) continue;  // a command row, indented
    const std::size_t at = line.rfind("   ") + 3;  // the example, after the last wide gap
    if (example_column == std::string::npos) example_column = at;
    EXPECT_EQ(at, example_column) << line;
  }
}

TEST_F(ConsoleRun, HelpInColourMakesCommandsBoldAndSaysTheSame) {
  const std::string plain = run("help");
  std::string coloured = run("help", ConsoleStyle{true});
  EXPECT_NE(coloured.find("\033[1mcheck PRODUCT_ID QUANTITY\033[0m"), std::string::npos) << coloured;
  for (std::size_t at; (at = coloured.find('\033')) != std::string::npos;) coloured.erase(at, coloured.find('m', at) - at + 1);
  EXPECT_EQ(coloured, plain);
}

TEST_F(ConsoleRun, QuitAndExitStopTheLoopAndWriteNothing) {
  Console console(inventory_, status_);
  for (std::string_view line : {"quit", "exit", " quit "}) {
    std::string out;
    EXPECT_FALSE(console.run(line, out)) << line;
    EXPECT_TRUE(out.empty()) << out;
  }
}

TEST_F(ConsoleRun, BlankLineWritesNothing) {
  EXPECT_EQ(run(""), "");
  EXPECT_EQ(run("   \t"), "");
}

TEST_F(ConsoleRun, ErrorsAreOneLineStartingWithError) {
  for (std::string_view line : {"frobnicate", "check", "check x abc", "check x 99999999999999999999", "get",
                                "get a b", "list -n 0", "list a b", "status now", "a b c", "quit now"}) {
    const std::string out = run(line);
    EXPECT_EQ(out.rfind("error: ", 0), 0u) << line << " -> " << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << line << " -> " << out;
    EXPECT_EQ(out.back(), '\n') << line;
  }
}

TEST_F(ConsoleRun, AppendsToTheOutputBuffer) {
  connect();
  Console console(inventory_, status_);
  std::string out = "before\n";
  console.run("check 42 1", out);
  console.run("check 42 4", out);
  EXPECT_EQ(out, "before\nAVAILABLE product=42 asked=1 in_stock=3\nINSUFFICIENT_QUANTITY product=42 asked=4 in_stock=3\n");
}

TEST_F(ConsoleRun, NoColourByDefault) {
  for (std::string_view line : {"check sku-1 1", "get sku-1", "list", "status", "help", "bogus"})
    EXPECT_EQ(run(line).find('\033'), std::string::npos) << line;
}

TEST_F(ConsoleRun, ColourStyleEmitsAnsiEscapes) {
  connect();
  const std::string out = run("check sku-1 1", ConsoleStyle{true});
  EXPECT_EQ(out.rfind("\033[32mAVAILABLE\033[0m", 0), 0u) << out;
  EXPECT_NE(out.find(" product=sku-1 asked=1 in_stock=10"), std::string::npos) << out;
  EXPECT_EQ(run("bogus", ConsoleStyle{true}).rfind("\033[31merror:\033[0m ", 0), 0u);
}

// ---- complete ------------------------------------------------------------------------------

TEST_F(ConsoleRun, CompletesCommandNamesAtTheStart) {
  Console console(inventory_, status_);
  EXPECT_EQ(console.complete("", "ch"), (std::vector<std::string>{"check"}));
  EXPECT_EQ(console.complete("", "e"), (std::vector<std::string>{"exit"}));
  EXPECT_EQ(console.complete("  ", "st"), (std::vector<std::string>{"status"}));
  EXPECT_TRUE(console.complete("", "zz").empty());
  const auto all = console.complete("", "");
  EXPECT_EQ(all.size(), kCommandNames.size());
  for (std::string_view name : kCommandNames) EXPECT_NE(std::find(all.begin(), all.end(), name), all.end()) << name;
}

TEST_F(ConsoleRun, CompletesProductIdsAfterCheckAndGet) {
  Console console(inventory_, status_);
  EXPECT_EQ(console.complete("check ", "sku"), (std::vector<std::string>{"sku-1", "sku-2"}));
  EXPECT_EQ(console.complete("get ", "sku-2"), (std::vector<std::string>{"sku-2"}));
  EXPECT_EQ(console.complete("check ", ""), (std::vector<std::string>{"42", "sku-1", "sku-2"}));
  EXPECT_TRUE(console.complete("get ", "zz").empty());
}

TEST_F(ConsoleRun, CompletionOfManyIdsKeepsThePrefixCommonToAllOfThem) {
  // More matches than are listed: the candidates' common prefix (what the
  // editor inserts) must still be that of every match, not "sku-1".
  Inventory many;
  for (int i = 0; i < 300; ++i) many.apply({"sku-1" + std::to_string(1000 + i), 1, std::nullopt}, now_us());
  many.apply({"sku-2000", 1, std::nullopt}, now_us());
  Console console(many, status_);
  const auto candidates = console.complete("check ", "sku-");
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_LE(candidates.size(), 201u);
  EXPECT_EQ(candidates.front(), "sku-11000");
  EXPECT_EQ(candidates.back(), "sku-2000");
  EXPECT_EQ(console.complete("get ", "sku-11").back(), "sku-11299");
  EXPECT_EQ(console.complete("get ", "sku-112").size(), 100u);  // all of them fit
}

TEST_F(ConsoleRun, CompletesNothingElsewhere) {
  Console console(inventory_, status_);
  EXPECT_TRUE(console.complete("check sku-1 ", "").empty());
  EXPECT_TRUE(console.complete("list ", "sku").empty());
  EXPECT_TRUE(console.complete("status ", "").empty());
}

}  // namespace
}  // namespace inventory
