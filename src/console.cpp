#include "inventory/console.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "inventory/log.hpp"

namespace inventory {
namespace {

constexpr std::size_t kMaxCompletions = 200;  // a screenful or two, listed without asking
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// Splits on whitespace; at most `max` words, the rest counted in `extra`.
struct Words {
  std::array<std::string_view, 4> w{};
  std::size_t n = 0;
  bool extra = false;
};

Words split(std::string_view line) {
  Words words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    if (words.n == words.w.size()) {
      words.extra = true;
      break;
    }
    words.w[words.n++] = line.substr(i, j - i);
    i = j;
  }
  return words;
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

Command invalid(std::string why) {
  Command c;
  c.kind = CommandKind::kInvalid;
  c.error = std::move(why);
  return c;
}

// Quantity asked: any int64 (<= 0 is the INVALID_QUANTITY answer, not an error).
bool parse_asked(std::string_view text, Command& c) {
  if (auto q = parse_decimal_int64(text)) {
    c.quantity = *q;
    return true;
  }
  const bool digits = text.size() > (text[0] == '-' ? 1u : 0u) && std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                                   [](char ch) { return ch >= '0' && ch <= '9'; });
  c = invalid(digits ? "quantity " + std::string(text) + " is out of range"
                     : "quantity must be a whole number, not '" + std::string(text) + "'");
  return false;
}

std::string clock_time(std::int64_t us) {
  const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
  return buf;
}

}  // namespace

Command parse_command(std::string_view line) {
  const Words words = split(line);
  if (words.n == 0) return {};
  const std::string_view verb = words.w[0];
  const std::size_t args = words.n - 1;
  const auto usage = [&](const char* form) {
    return invalid("usage: " + std::string(form));
  };
  Command c;
  if (verb == "check") {
    if (args != 2 || words.extra) return usage("check PRODUCT_ID QUANTITY");
    c.kind = CommandKind::kCheck;
    c.product_id = words.w[1];
    if (!parse_asked(words.w[2], c)) return c;
    return c;
  }
  if (verb == "get") {
    if (args != 1 || words.extra) return usage("get PRODUCT_ID");
    c.kind = CommandKind::kGet;
    c.product_id = words.w[1];
    return c;
  }
  if (verb == "list") {
    c.kind = CommandKind::kList;
    std::size_t i = 1;
    if (i < words.n && words.w[i] != "-n") c.prefix = words.w[i++];
    if (i < words.n) {
      if (words.w[i] != "-n" || i + 1 >= words.n) return usage("list [PREFIX] [-n LIMIT]");
      auto n = parse_decimal_uint64(words.w[i + 1]);
      if (!n || *n == 0) return invalid("list limit must be a whole number above 0, not '" + std::string(words.w[i + 1]) + "'");
      c.limit = static_cast<std::size_t>(*n);
      i += 2;
    }
    if (i < words.n || words.extra) return usage("list [PREFIX] [-n LIMIT]");
    return c;
  }
  if (verb == "status" || verb == "help" || verb == "quit" || verb == "exit") {
    if (args != 0) return usage(std::string(verb).c_str());
    c.kind = verb == "status" ? CommandKind::kStatus : verb == "help" ? CommandKind::kHelp : CommandKind::kQuit;
    return c;
  }
  if (args == 1 && !words.extra) {  // bare "PRODUCT_ID QUANTITY", as in the original
    c.kind = CommandKind::kCheck;
    c.product_id = words.w[0];
    parse_asked(words.w[1], c);
    return c;
  }
  return invalid("unknown command '" + std::string(verb) + "' (type 'help' for the list)");
}

Console::Console(const Inventory& inventory, const StoreStatus& status, ConsoleStyle style)
    : inventory_(inventory), status_(status), style_(style) {}

void Console::paint(std::string& out, std::string_view text, const char* ansi) const {
  if (style_.colour) out += ansi;
  out += text;
  if (style_.colour) out += "\033[0m";
}

void Console::stale_note(std::string& out) const {
  if (status_.link() == LinkState::kConnected) return;
  out += ' ';
  paint(out, "(may be stale: not connected to the broker)", kYellow);
}

bool Console::run(std::string_view line, std::string& out) const {
  Command c = parse_command(line);
  switch (c.kind) {
    case CommandKind::kNone: return true;
    case CommandKind::kQuit: return false;
    case CommandKind::kCheck: answer_check(c.product_id, c.quantity, out); return true;
    case CommandKind::kGet: answer_get(c.product_id, out); return true;
    case CommandKind::kList: answer_list(c.prefix, c.limit, out); return true;
    case CommandKind::kStatus: answer_status(out); return true;
    case CommandKind::kHelp: answer_help(out); return true;
    case CommandKind::kInvalid:
      paint(out, "error:", kRed);
      out += ' ';
      out += c.error;
      out += '\n';
      return true;
  }
  return true;
}

void Console::answer_check(std::string_view product_id, std::int64_t asked, std::string& out) const {
  const CheckResult r = inventory_.check(product_id, asked);
  const char* colour = r.answer == Availability::kAvailable ? kGreen
                       : r.answer == Availability::kInsufficientQuantity ? kYellow
                                                                          : kRed;
  paint(out, to_string(r.answer), colour);
  out += " product=";
  out += product_id;
  out += " asked=";
  append_int(out, asked);
  out += " in_stock=";
  if (r.in_stock) append_int(out, *r.in_stock);
  else out += "none";
  stale_note(out);
  out += '\n';
}

void Console::answer_get(std::string_view product_id, std::string& out) const {
  const auto entry = inventory_.get(product_id);
  if (!entry) {
    paint(out, "PRODUCT_NOT_FOUND", kRed);
    out += " product=";
    out += product_id;
    stale_note(out);
    out += '\n';
    return;
  }
  out += "product=";
  out += product_id;
  out += " quantity=";
  append_int(out, entry->quantity);
  out += " version=";
  if (entry->version) append_uint(out, entry->version);
  else out += "none";
  out += " age=";
  out += format_age(now_us() - entry->updated_at_us);
  stale_note(out);
  out += '\n';
}

void Console::answer_list(std::string_view prefix, std::size_t limit, std::string& out) const {
  const Inventory::Listing listing = inventory_.list(prefix, limit);
  std::size_t id_width = 7;  // "PRODUCT"
  for (const auto& row : listing.rows) id_width = std::max(id_width, row.first.size());
  const auto pad = [&](std::string_view s, std::size_t width) {
    out += s;
    if (s.size() < width) out.append(width - s.size(), ' ');
  };
  const std::int64_t now = now_us();
  if (!listing.rows.empty()) {
    if (style_.colour) out += kBold;
    pad("PRODUCT", id_width + 2);
    pad("QUANTITY", 22);
    pad("VERSION", 22);
    out += "UPDATED";
    if (style_.colour) out += "\033[0m";
    out += '\n';
  }
  for (const auto& [id, entry] : listing.rows) {
    pad(id, id_width + 2);
    pad(std::to_string(entry.quantity), 22);
    pad(entry.version ? std::to_string(entry.version) : "-", 22);
    out += format_age(now - entry.updated_at_us);
    out += " ago\n";
  }
  const std::size_t hidden = listing.matching - listing.rows.size();
  std::string summary = std::to_string(listing.matching) + (listing.matching == 1 ? " product" : " products");
  if (!prefix.empty()) summary += " starting with '" + std::string(prefix) + "'";
  if (hidden > 0) summary += ", " + std::to_string(hidden) + " not shown (list PREFIX -n LIMIT to see more)";
  paint(out, summary, kDim);
  stale_note(out);
  out += '\n';
}

void Console::answer_status(std::string& out) const {
  const std::int64_t now = now_us();
  const auto row = [&](std::string_view key, const std::string& value) {
    if (style_.colour) out += kBold;
    out += key;
    if (style_.colour) out += "\033[0m";
    out.append(14 - std::min<std::size_t>(13, key.size()), ' ');
    out += value;
    out += '\n';
  };
  const std::int64_t since = status_.link_since_us();
  if (status_.link() == LinkState::kConnected) {
    row("link:", "connected to " + status_.broker() + " for " + format_age(now - since));
  } else {
    std::string text = "disconnected, retrying every " + std::to_string(status_.retry_interval_ms() / 1000) +
                       "s (" + status_.broker() + (since ? ", for " + format_age(now - since) : "") + ")";
    row("link:", text);
    const std::string why = status_.last_error();
    if (!why.empty()) row("last error:", why);
  }
  row("queue:", status_.queue() + " (poison goes to " + status_.dead_letter_queue() + ")");
  row("products:", std::to_string(inventory_.size()));
  row("updates:", "applied " + std::to_string(inventory_.applied_count()) + ", stale " +
                      std::to_string(inventory_.stale_count()) + ", rejected " + std::to_string(status_.rejected()));
  const std::int64_t last = inventory_.last_update_us();
  row("last update:", last ? format_age(now - last) + " ago (" + clock_time(last) + ")" : "none yet");
  row("state:", status_.state_location());
}

void Console::answer_help(std::string& out) const {
  struct Row {
    std::string_view form, what, example;
  };
  static constexpr Row kRows[] = {
      {"check PRODUCT_ID QUANTITY", "is QUANTITY (above 0) in stock?", "check 42 5"},
      {"PRODUCT_ID QUANTITY", "the same, short", "42 5"},
      {"get PRODUCT_ID", "quantity, version, age", "get 42"},
      {"list [PREFIX] [-n LIMIT]", "products by id, 50 by default", "list sku- -n 20"},
      {"status", "link, queue, counters, state", "status"},
      {"help", "this list", "help"},
      {"quit, exit, Ctrl-D", "leave", "quit"},
  };
  std::size_t form_width = 0, what_width = 0;
  for (const Row& row : kRows) {
    form_width = std::max(form_width, row.form.size());
    what_width = std::max(what_width, row.what.size());
  }
  for (const Row& row : kRows) {
    out += "  ";
    if (style_.colour) out += kBold;
    out += row.form;
    if (style_.colour) out += "\033[0m";
    out.append(form_width - row.form.size() + 3, ' ');
    out += row.what;
    out.append(what_width - row.what.size() + 3, ' ');
    paint(out, row.example, kDim);
    out += '\n';
  }
  out += "Answers: AVAILABLE, INSUFFICIENT_QUANTITY, PRODUCT_NOT_FOUND, INVALID_QUANTITY.\n";
  out += "Keys: Tab completes, Up/Down and Ctrl-R search history, Ctrl-C clears the line.\n";
}

std::vector<std::string> Console::complete(std::string_view line_before_word, std::string_view word) const {
  std::vector<std::string> out;
  const Words before = split(line_before_word);
  if (before.n == 0) {
    for (std::string_view name : kCommandNames)
      if (name.substr(0, word.size()) == word) out.emplace_back(name);
    return out;
  }
  if (before.n != 1 || (before.w[0] != "check" && before.w[0] != "get")) return out;
  Inventory::Listing listing = inventory_.list(word, kMaxCompletions);
  out.reserve(listing.rows.size() + 1);
  for (auto& row : listing.rows) out.push_back(std::move(row.first));
  if (listing.matching > out.size()) {
    // Only the first ones fit. Add the last match too: the editor inserts the
    // prefix common to all candidates, which must be that of every match (the
    // first and last in id order), not just of the first ones.
    std::string last;
    inventory_.for_each([&](const std::string& id, const StockEntry&) {
      if (id.size() >= word.size() && std::string_view(id).substr(0, word.size()) == word && id > last) last = id;
    });
    if (!last.empty() && last != out.back()) out.push_back(std::move(last));
  }
  return out;
}

}  // namespace inventory
