// store_service at a real terminal (tmux): what a person sees and what the keys
// do. Each test runs its own tmux server, a 120x40 window, TERM=xterm-256color.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "inventory/console.hpp"
#include "support/harness.hpp"
#include "support/tmux.hpp"

namespace ts = testing_support;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPrompt = "store>";  // as the screen shows it, trailing blank dropped

class Terminal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ts::TmuxTerminal::available()) GTEST_SKIP() << "tmux is not installed";
  }

  std::filesystem::path state_dir() const { return dir_.path() / "state"; }

  // Publishes the products and lets a store on a pipe take them into the state
  // directory, so the store at the terminal starts with them.
  void seed(const std::vector<std::pair<std::string, int>>& products) {
    for (const auto& [id, quantity] : products) {
      const auto r = ts::publish({"--queue", queue_, id, std::to_string(quantity)});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ts::Store store(queue_, {"--state-dir", state_dir().string()});
    for (const auto& [id, quantity] : products)
      ASSERT_TRUE(store.wait_for(id, "quantity=" + std::to_string(quantity))) << id;
    store.process().close_stdin();
    ASSERT_EQ(store.process().wait_exit(20s), 0);
  }

  // The shell command that runs the store, its environment spelled out.
  std::string store_command(const std::string& extra_env = "") const {
    std::string command =
        "env -u NO_COLOR -u AMQP_URL -u LC_ALL -u LC_CTYPE TERM=xterm-256color LANG=C.UTF-8";
    command += " HOME=" + ts::shell_quote(dir_.path().string());
    if (!extra_env.empty()) command += " " + extra_env;
    for (const std::string& arg :
         {ts::program("store_service"), std::string("--url"), ts::TestBroker::instance().url(),
          std::string("--queue"), queue_, std::string("--state-dir"), state_dir().string(),
          std::string("--retry-interval"), std::string("1")})
      command += " " + ts::shell_quote(arg);
    return command;
  }

  // A store at the terminal, connected to the broker, its prompt showing.
  std::unique_ptr<ts::TmuxTerminal> start_store(const std::string& extra_env = "",
                                                int width = 120) {
    auto term = std::make_unique<ts::TmuxTerminal>(dir_.path(), store_command(extra_env), width);
    ts::Screen seen;
    EXPECT_TRUE(term->wait_until(
        [](const ts::Screen& s) {
          return s.has("store_service: connected to ") && s.last() == kPrompt;
        },
        20s, &seen))
        << seen.text();
    return term;
  }

  // Types `line`, presses Enter and waits for `answer` to show below it.
  static bool ask(ts::TmuxTerminal& term, const std::string& line, const std::string& answer) {
    const std::size_t before = term.screen().count(answer);
    term.type(line);
    term.press({"Enter"});
    ts::Screen seen;
    const bool ok = term.wait_until(
        [&](const ts::Screen& s) { return s.count(answer) > before && s.last() == kPrompt; }, 10s,
        &seen);
    if (!ok) ADD_FAILURE() << "no '" << answer << "' after '" << line << "':\n" << seen.text();
    return ok;
  }

  static bool last_line_is(ts::TmuxTerminal& term, const std::string& expected) {
    ts::Screen seen;
    const bool ok =
        term.wait_until([&](const ts::Screen& s) { return s.last() == expected; }, 10s, &seen);
    if (!ok) ADD_FAILURE() << "last line is not '" << expected << "':\n" << seen.text();
    return ok;
  }

  ts::TempDir dir_;
  std::string queue_ = ts::unique_queue("term");
};

TEST_F(Terminal, PromptAnswersCheckAndComesBackReady) {
  seed({{"sku-a1", 5}});
  auto term = start_store();
  EXPECT_TRUE(term->screen().has("restored 1 products from"));
  EXPECT_EQ(term->cursor().x, 7);  // just after "store> "

  ASSERT_TRUE(ask(*term, "check sku-a1 4", "AVAILABLE product=sku-a1 asked=4 in_stock=5"));
  const ts::Screen s = term->screen();
  EXPECT_EQ(s.from_bottom(2), "store> check sku-a1 4");
  EXPECT_EQ(s.from_bottom(1), "AVAILABLE product=sku-a1 asked=4 in_stock=5");
  EXPECT_EQ(s.last(), kPrompt);
  EXPECT_EQ(term->cursor().x, 7);
  EXPECT_EQ(s.count(kPrompt), 2u) << s.text();  // one prompt a command, no extra

  ASSERT_TRUE(ask(*term, "sku-a1 6", "INSUFFICIENT_QUANTITY product=sku-a1 asked=6 in_stock=5"));
  ASSERT_TRUE(
      ask(*term, "frobnicate", "error: unknown command 'frobnicate' (type 'help' for the list)"));
}

TEST_F(Terminal, UpArrowRecallsThePreviousCommand) {
  seed({{"sku-a1", 5}});
  auto term = start_store();
  ASSERT_TRUE(ask(*term, "get sku-a1", "product=sku-a1 quantity=5"));
  ASSERT_TRUE(ask(*term, "check sku-a1 1", "AVAILABLE product=sku-a1 asked=1"));
  term->press({"Up"});
  ASSERT_TRUE(last_line_is(*term, "store> check sku-a1 1"));
  term->press({"Up"});
  ASSERT_TRUE(last_line_is(*term, "store> get sku-a1"));
  EXPECT_EQ(term->cursor().x, 17);  // at the end of the recalled line
  term->press({"Enter"});
  EXPECT_TRUE(term->wait_until([](const ts::Screen& s) {
    return s.count("product=sku-a1 quantity=5") == 2 && s.last() == kPrompt;
  }));
}

TEST_F(Terminal, HistoryIsKeptAcrossRuns) {
  seed({{"sku-a1", 5}});
  {
    auto first = start_store();
    ASSERT_TRUE(ask(*first, "check sku-a1 2", "AVAILABLE product=sku-a1 asked=2"));
    first->type("quit");
    first->press({"Enter"});
    ASSERT_EQ(first->wait_exit(20s), 0) << first->screen().text();
  }
  EXPECT_TRUE(std::filesystem::exists(state_dir() / "history"));

  auto second = start_store();
  second->press({"Up"});  // the last question, not the quit that ended the run
  ASSERT_TRUE(last_line_is(*second, "store> check sku-a1 2"));
  second->press({"Enter"});
  EXPECT_TRUE(second->wait_for("AVAILABLE product=sku-a1 asked=2 in_stock=5"));
}

TEST_F(Terminal, CtrlRFindsAnEarlierCommandAndEnterRunsItOnce) {
  seed({{"sku-a1", 5}, {"sku-b7", 2}});
  auto term = start_store();
  ASSERT_TRUE(ask(*term, "check sku-a1 3", "AVAILABLE product=sku-a1 asked=3"));
  ASSERT_TRUE(ask(*term, "get sku-b7", "product=sku-b7 quantity=2"));
  ASSERT_TRUE(ask(*term, "status", "state:"));

  term->press({"C-r"});
  term->type("a1");
  ts::Screen seen;
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.from_bottom(1) == "store> check sku-a1 3" &&
               s.last().find("a1") != std::string::npos;
      },
      10s, &seen))
      << seen.text();

  term->press({"Enter"});  // one Enter: ends the search and runs the line
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.count("AVAILABLE product=sku-a1 asked=3") == 2 && s.last() == kPrompt;
      },
      10s, &seen))
      << seen.text();
  EXPECT_EQ(seen.from_bottom(1), "AVAILABLE product=sku-a1 asked=3 in_stock=5") << seen.text();
  EXPECT_NE(seen.from_bottom(2), kPrompt) << "a second, empty prompt:\n" << seen.text();
}

TEST_F(Terminal, TabCompletesACommandName) {
  seed({{"sku-a1", 5}});
  auto term = start_store();
  term->type("ch");
  term->press({"Tab"});
  ASSERT_TRUE(last_line_is(*term, "store> check"));
  EXPECT_TRUE(term->wait_until(
      [&](const ts::Screen&) { return term->cursor().x == 13; }))  // "store> check "
      << term->cursor().x;
  ASSERT_TRUE(ask(*term, "sku-a1 1", "AVAILABLE product=sku-a1 asked=1 in_stock=5"));

  term->type("sta");
  term->press({"Tab"});
  ASSERT_TRUE(last_line_is(*term, "store> status"));
  term->press({"Enter"});
  EXPECT_TRUE(term->wait_for("link:"));
}

TEST_F(Terminal, TabCompletesProductIdsAndDoubleTabListsThem) {
  seed({{"sku-a1", 5}, {"sku-a2", 7}, {"sku-b7", 2}});
  auto term = start_store();

  term->type("check sku-b");
  term->press({"Tab"});  // one match: completed, with a space after it
  ASSERT_TRUE(last_line_is(*term, "store> check sku-b7"));
  ASSERT_TRUE(ask(*term, "1", "AVAILABLE product=sku-b7 asked=1 in_stock=2"));

  term->type("get sku-a");
  term->press({"Tab"});  // two matches: nothing more to add yet
  term->press({"Tab"});  // the second Tab lists them, and the line comes back as it was
  ts::Screen seen;
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.from_bottom(1).find("sku-a1") != std::string::npos &&
               s.from_bottom(1).find("sku-a2") != std::string::npos &&
               s.last() == "store> get sku-a";
      },
      10s, &seen))
      << seen.text();
  EXPECT_EQ(seen.from_bottom(1).find("sku-b7"), std::string::npos) << seen.text();
  ASSERT_TRUE(ask(*term, "2", "product=sku-a2 quantity=7"));
}

TEST_F(Terminal, LogLineArrivesAboveTheHalfTypedLine) {
  seed({{"sku-a1", 5}});
  auto term = start_store();
  term->type("check sku-a1");
  ASSERT_TRUE(last_line_is(*term, "store> check sku-a1"));

  // The broker drops every connection: the store logs it while the line waits.
  const auto closed = ts::TestBroker::instance().ctl({"close_all_connections", "test"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  ts::Screen seen;
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.has("lost the connection") && s.last() == "store> check sku-a1";
      },
      20s, &seen))
      << seen.text();
  for (const auto& line : seen.lines) {
    if (line.find("lost the connection") == std::string::npos) continue;
    EXPECT_EQ(line.find("store>"), std::string::npos) << "log line mixed into the prompt: " << line;
    EXPECT_NE(line.find(" store_service: warning: lost the connection"), std::string::npos) << line;
  }
  EXPECT_EQ(seen.count("store> check sku-a1"), 1u) << seen.text();
  EXPECT_TRUE(term->wait_until([&](const ts::Screen&) { return term->cursor().x == 19; }))
      << term->cursor().x;

  // The store reconnects (another line above the prompt); the line is intact.
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.count("store_service: connected to ") == 2 && s.last() == "store> check sku-a1";
      },
      20s, &seen))
      << seen.text();
  term->type(" 2");
  term->press({"Enter"});
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.from_bottom(1).rfind("AVAILABLE product=sku-a1 asked=2 in_stock=5", 0) == 0;
      },
      10s, &seen))
      << seen.text();
  EXPECT_EQ(seen.from_bottom(2), "store> check sku-a1 2");
}

TEST_F(Terminal, LogLineAndCtrlCOnALineLongerThanTheWindow) {
  seed({{"sku-a1", 5}});
  auto term = start_store("", 60);
  const std::string typed = "check sku-a1 " + std::string(70, '1');  // two rows and a bit
  term->type(typed);
  ASSERT_TRUE(last_line_is(*term, "store> " + typed));  // rows joined
  term->press({"Home"});
  term->press({"Right", "Right", "Right"});  // the cursor on the first row
  ASSERT_TRUE(term->wait_until([&](const ts::Screen&) { return term->cursor().x == 10; }));
  const int cursor_row = term->cursor().y;

  const auto closed = ts::TestBroker::instance().ctl({"close_all_connections", "test"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  ts::Screen seen;
  ASSERT_TRUE(term->wait_until(
      [&](const ts::Screen& s) {
        return s.has("lost the connection") && s.last() == "store> " + typed;
      },
      20s, &seen))
      << seen.text();
  EXPECT_EQ(seen.count("store> check"), 1u) << "a piece of the old line is left:\n" << seen.text();
  for (const auto& line : seen.lines) {
    if (line.find("lost the connection") != std::string::npos) {
      EXPECT_EQ(line.find("store>"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(term->wait_until([&](const ts::Screen&) {
    return term->cursor().x == 10 && term->cursor().y > cursor_row;
  })) << term->cursor().x
      << "," << term->cursor().y;

  term->press({"C-c"});  // ^C after the end of the line, not in its middle
  ASSERT_TRUE(term->wait_until(
      [&](const ts::Screen& s) {
        return s.from_bottom(1) == "store> " + typed + "^C" && s.last() == kPrompt;
      },
      10s, &seen))
      << seen.text();
  ASSERT_TRUE(ask(*term, "check sku-a1 1", "AVAILABLE product=sku-a1 asked=1 in_stock=5"));
}

TEST_F(Terminal, CtrlCClearsTheLineAndTheStoreKeepsRunning) {
  seed({{"sku-a1", 5}});
  auto term = start_store();
  term->type("check sku-a1 3");
  ASSERT_TRUE(last_line_is(*term, "store> check sku-a1 3"));
  term->press({"C-c"});
  ts::Screen seen;
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) {
        return s.from_bottom(1) == "store> check sku-a1 3^C" && s.last() == kPrompt;
      },
      10s, &seen))
      << seen.text();
  EXPECT_EQ(term->cursor().x, 7);
  EXPECT_FALSE(seen.has("AVAILABLE")) << "the abandoned line ran:\n" << seen.text();

  ASSERT_TRUE(ask(*term, "get sku-a1", "product=sku-a1 quantity=5"));
  term->press({"C-c"});  // on an empty line too: a fresh prompt, nothing else
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) { return s.from_bottom(1) == "store> ^C" && s.last() == kPrompt; },
      10s, &seen))
      << seen.text();

  // In the middle of a Ctrl-R search as well.
  term->press({"C-r"});
  term->type("get");
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) { return s.from_bottom(1) == "store> get sku-a1"; }, 10s, &seen))
      << seen.text();
  term->press({"C-c"});
  ASSERT_TRUE(term->wait_until(
      [](const ts::Screen& s) { return s.last() == kPrompt && s.count("^C") == 3; }, 10s, &seen))
      << seen.text();
  ASSERT_TRUE(ask(*term, "status", "state:"));
}

TEST_F(Terminal, CtrlDOnAnEmptyLineExitsWithStatusZero) {
  auto term = start_store();
  term->type("abc");
  term->press({"C-d"});  // not on an empty line: nothing happens
  ASSERT_TRUE(last_line_is(*term, "store> abc"));
  EXPECT_EQ(term->wait_exit(300ms), std::nullopt);
  term->press({"C-u"});
  ASSERT_TRUE(last_line_is(*term, kPrompt));
  term->press({"C-d"});
  EXPECT_EQ(term->wait_exit(20s), 0) << term->screen().text();
  EXPECT_TRUE(term->wait_for("closed the connection to "));
}

TEST_F(Terminal, AnswerWordIsColouredOnATerminal) {
  seed({{"sku-a1", 5}});
  auto term = start_store();
  ASSERT_TRUE(ask(*term, "check sku-a1 1", "AVAILABLE product=sku-a1 asked=1 in_stock=5"));
  ASSERT_TRUE(ask(*term, "check sku-a1 9", "INSUFFICIENT_QUANTITY product=sku-a1"));
  ASSERT_TRUE(ask(*term, "bogus", "unknown command 'bogus'"));
  const std::string screen = term->screen_with_escapes();
  EXPECT_NE(screen.find("\033[32mAVAILABLE"), std::string::npos) << screen;
  EXPECT_NE(screen.find("\033[33mINSUFFICIENT_QUANTITY"), std::string::npos) << screen;
  EXPECT_NE(screen.find("\033[31merror:"), std::string::npos) << screen;
}

TEST_F(Terminal, NoColorMeansNoEscapeSequences) {
  seed({{"sku-a1", 5}});
  auto term = start_store("NO_COLOR=1");
  ASSERT_TRUE(ask(*term, "check sku-a1 1", "AVAILABLE product=sku-a1 asked=1 in_stock=5"));
  ASSERT_TRUE(ask(*term, "bogus", "unknown command 'bogus'"));
  ASSERT_TRUE(ask(*term, "list", "1 product"));
  ASSERT_TRUE(ask(*term, "status", "state:"));
  ASSERT_TRUE(ask(*term, "help", "Answers:"));
  const std::string screen = term->screen_with_escapes();
  EXPECT_EQ(screen.find('\033'), std::string::npos) << screen;
}

TEST_F(Terminal, HelpListsEveryCommandWithinTheWindow) {
  auto term = start_store();
  ASSERT_TRUE(ask(*term, "help", "Answers:"));
  const ts::Screen s = term->screen();
  std::size_t first = 0;
  while (first < s.lines.size() && s.lines[first] != "store> help") ++first;
  ASSERT_LT(first, s.lines.size()) << s.text();
  std::string help;
  for (std::size_t i = first + 1; i + 1 < s.lines.size(); ++i) {
    EXPECT_LE(s.lines[i].size(), 80u) << s.lines[i];
    help += s.lines[i] + "\n";
  }
  for (std::string_view name : inventory::kCommandNames)
    EXPECT_NE(help.find(std::string(name)), std::string::npos) << name << " missing from:\n"
                                                               << help;
  for (const char* word : {"AVAILABLE", "INSUFFICIENT_QUANTITY", "PRODUCT_NOT_FOUND",
                           "INVALID_QUANTITY", "Ctrl-R", "Tab"})
    EXPECT_NE(help.find(word), std::string::npos) << word << " missing from:\n" << help;
}

TEST_F(Terminal, TypedUtf8ProductIdIsKept) {
  seed({{"café-1", 3}});
  auto term = start_store();
  ASSERT_TRUE(ask(*term, "check café-1 2", "AVAILABLE product=café-1 asked=2 in_stock=3"));
  term->type("get caf");
  term->press({"Tab"});
  ASSERT_TRUE(last_line_is(*term, "store> get café-1"));
}

TEST_F(Terminal, AnswersGoToStdoutAndThePromptToTheTerminalWhenStdoutIsAFile) {
  seed({{"sku-a1", 5}});
  const auto answers = dir_.path() / "answers.txt";
  ts::TmuxTerminal term(dir_.path(), store_command() + " > " + ts::shell_quote(answers.string()));
  ts::Screen seen;
  ASSERT_TRUE(term.wait_until(
      [](const ts::Screen& s) { return s.has("connected to ") && s.last() == kPrompt; }, 20s,
      &seen))
      << seen.text();
  term.type("check sku-a1 1");
  term.press({"Enter"});
  ASSERT_TRUE(term.wait_until(
      [](const ts::Screen& s) { return s.count(kPrompt) == 2 && s.last() == kPrompt; }));
  term.type("quit");
  term.press({"Enter"});
  ASSERT_EQ(term.wait_exit(20s), 0) << term.screen().text();
  EXPECT_FALSE(term.screen().has("AVAILABLE"));
  std::ifstream in(answers);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(),
            "AVAILABLE product=sku-a1 asked=1 in_stock=5\n");  // no prompt, no colour
}

TEST_F(Terminal, PipedInputOnATerminalGetsPlainAnswersAndNoPrompt) {
  seed({{"sku-a1", 5}});
  ts::TmuxTerminal term(dir_.path(),
                        "printf 'check sku-a1 1\\nget nothing\\n' | " + store_command());
  ASSERT_EQ(term.wait_exit(20s), 0) << term.screen().text();
  const ts::Screen s = term.screen();
  EXPECT_TRUE(s.has("AVAILABLE product=sku-a1 asked=1 in_stock=5")) << s.text();
  EXPECT_TRUE(s.has("PRODUCT_NOT_FOUND product=nothing")) << s.text();
  EXPECT_FALSE(s.has(kPrompt)) << s.text();
  EXPECT_EQ(term.screen_with_escapes().find('\033'), std::string::npos)
      << term.screen_with_escapes();
}

}  // namespace
