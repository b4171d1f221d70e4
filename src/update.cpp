#include "inventory/update.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

namespace inventory {
namespace {

using json = nlohmann::json;

// Decodes one UTF-8 code point starting at s[i]; returns its length, 0 if invalid.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool is_whitespace(char32_t cp) {
  switch (cp) {
    case U' ': case U'\u00A0': case U'\u1680': case U'\u2028': case U'\u2029':
    case U'\u202F': case U'\u205F': case U'\u3000': case U'\uFEFF':
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

enum class Field { kProductId, kQuantity, kVersion, kOther };

// Written in place of a number too large for a double before parsing again.
constexpr std::string_view kOverflowStandIn = "-0.0e-0";

// A SAX handler: reads the three fields at the top level of the object without
// building a DOM, so parsing a message allocates next to nothing.
class UpdateHandler {
 public:
  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("a boolean"); }
  bool number_integer(json::number_integer_t v) {
    if (v >= 0) return number_unsigned(static_cast<json::number_unsigned_t>(v));
    if (depth_ != 1) return top_level_check();
    switch (field_) {
      case Field::kProductId: return fail("product_id must not be negative");
      case Field::kQuantity: return fail("quantity must not be negative");
      case Field::kVersion: return fail("version must not be negative");
      case Field::kOther: return true;
    }
    return true;
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (depth_ != 1) return top_level_check();
    switch (field_) {
      case Field::kProductId:
        product_id_.assign(std::to_string(v));
        return mark(has_id_);
      case Field::kQuantity:
        if (v > static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
          return fail("quantity is larger than 2^63-1");
        quantity_ = static_cast<std::int64_t>(v);
        return mark(has_quantity_);
      case Field::kVersion:
        version_ = v;
        return mark(has_version_);
      case Field::kOther:
        return true;
    }
    return true;
  }
  bool number_float(json::number_float_t, const std::string& text) {
    if (depth_ != 1 || field_ == Field::kOther) return top_level_check();
    const bool integral = text.find_first_of(".eE") == std::string::npos;
    if (integral || text == kOverflowStandIn) return fail(std::string(field_name()) + " is out of range");
    return fail(std::string(field_name()) + " must be an integer, not " + text);
  }
  bool string(std::string& s) {
    if (depth_ != 1) return top_level_check();
    switch (field_) {
      case Field::kProductId:
        if (auto problem = product_id_problem(s)) return fail(*problem);
        product_id_.swap(s);
        return mark(has_id_);
      case Field::kQuantity: return fail("quantity must be a JSON integer, not a string");
      case Field::kVersion: return fail("version must be a JSON integer, not a string");
      case Field::kOther: return true;
    }
    return true;
  }
  bool binary(json::binary_t&) { return fail("binary values are not JSON"); }
  bool start_object(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      seen_object_ = true;
      return true;
    }
    if (depth_ == 1 && field_ != Field::kOther) return fail(std::string(field_name()) + " must not be an object");
    ++depth_;
    return true;
  }
  bool key(std::string& k) {
    if (depth_ != 1) return true;
    if (k == "product_id") field_ = Field::kProductId;
    else if (k == "quantity") field_ = Field::kQuantity;
    else if (k == "version") field_ = Field::kVersion;
    else field_ = Field::kOther;
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ == 0) return fail("body must be a JSON object, not an array");
    if (depth_ == 1 && field_ != Field::kOther) return fail(std::string(field_name()) + " must not be an array");
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) {
    if (!error_.empty()) return false;
    if (ex.id == 406) {  // a number too large for a double: valid JSON, see parse_update
      overflow_at_ = position;
      overflow_token_ = token;
    }
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while
    // parsing value - invalid literal; last read: 'x'": keep the part after the last ": ".
    auto colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    error_ = "not valid JSON at byte " + std::to_string(position) + ": " + what;
    return false;
  }

  ParsedUpdate result() {
    ParsedUpdate out;
    if (!error_.empty()) {
      out.error = std::move(error_);
    } else if (!seen_object_) {
      out.error = "body must be a JSON object";
    } else if (!has_id_) {
      out.error = "product_id is missing";
    } else if (!has_quantity_) {
      out.error = "quantity is missing";
    } else {
      out.update = InventoryUpdate{std::move(product_id_), quantity_,
                                   has_version_ ? std::optional<std::uint64_t>(version_) : std::nullopt};
    }
    return out;
  }

  std::string error_;
  std::size_t overflow_at_ = 0;
  std::string overflow_token_;

 private:
  bool scalar(const char* what) {
    if (depth_ != 1 || field_ == Field::kOther) return top_level_check();
    return fail(std::string(field_name()) + " must be " +
                (field_ == Field::kProductId ? "a string or a non-negative integer" : "an integer") +
                ", not " + what);
  }
  // A scalar outside the top-level object is either nested (ignored) or the whole body.
  bool top_level_check() {
    if (depth_ == 0) return fail("body must be a JSON object");
    return true;
  }
  bool mark(bool& seen) {
    if (seen) return fail(std::string(field_name()) + " appears twice");
    seen = true;
    return true;
  }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  const char* field_name() const {
    switch (field_) {
      case Field::kProductId: return "product_id";
      case Field::kQuantity: return "quantity";
      case Field::kVersion: return "version";
      case Field::kOther: return "field";
    }
    return "field";
  }

  int depth_ = 0;
  Field field_ = Field::kOther;
  bool seen_object_ = false;
  bool has_id_ = false, has_quantity_ = false, has_version_ = false;
  std::string product_id_;
  std::int64_t quantity_ = 0;
  std::uint64_t version_ = 0;
};

}  // namespace

ParsedUpdate parse_update(std::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    ParsedUpdate out;
    out.error = "body is " + std::to_string(body.size()) + " bytes, over the 64 KiB limit";
    return out;
  }
  if (body.empty()) {
    ParsedUpdate out;
    out.error = "body is empty";
    return out;
  }
  // A raw NUL is never valid JSON, and the parser would take it for the end of input.
  if (const auto nul = body.find('\0'); nul != std::string_view::npos) {
    ParsedUpdate out;
    out.error = "not valid JSON: a NUL byte at byte " + std::to_string(nul);
    return out;
  }
  // nlohmann stops at a number that overflows a double (1e400), though it is valid
  // JSON. Such a number is never a valid product_id, quantity or version, so parse
  // again with a finite stand-in: a known field is still rejected (not an integer),
  // an unknown one is ignored as SPEC 2 says.
  std::string rewritten;
  for (int attempt = 0; attempt < 16; ++attempt) {
    UpdateHandler handler;
    try {
      json::sax_parse(body.begin(), body.end(), &handler, json::input_format_t::json, true);
    } catch (const std::exception& e) {  // defensive: the SAX parser reports through parse_error
      if (handler.error_.empty()) handler.error_ = std::string("not valid JSON: ") + e.what();
    }
    if (handler.overflow_token_.empty()) return handler.result();
    const std::size_t end = std::min(handler.overflow_at_, body.size());
    const auto at = body.substr(0, end).rfind(handler.overflow_token_);
    if (at == std::string_view::npos) return handler.result();
    std::string next =
        std::string(body.substr(0, at)) + std::string(kOverflowStandIn) + std::string(body.substr(at + handler.overflow_token_.size()));
    rewritten.swap(next);
    body = rewritten;
  }
  ParsedUpdate out;
  out.error = "too many numbers out of range";
  return out;
}

std::optional<std::string> product_id_problem(std::string_view id) {
  if (id.empty()) return "product_id must not be empty";
  if (id.size() > kMaxProductIdBytes)
    return "product_id is " + std::to_string(id.size()) + " bytes, over the 128-byte limit";
  for (std::size_t i = 0; i < id.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(id, i, cp);
    if (len == 0) return "product_id is not valid UTF-8 (byte " + std::to_string(i) + ")";
    if (is_control(cp)) return "product_id contains a control character";
    if (is_whitespace(cp)) return "product_id contains whitespace";
    i += len;
  }
  return std::nullopt;
}

bool is_canonical_decimal(std::string_view id) {
  if (id.empty() || id.size() > 19) return false;
  if (id.size() > 1 && id[0] == '0') return false;
  for (char c : id)
    if (c < '0' || c > '9') return false;
  return parse_decimal_int64(id).has_value();
}

std::optional<std::int64_t> parse_decimal_int64(std::string_view text) {
  if (text.empty() || text == "-") return std::nullopt;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_decimal_uint64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string encode_update(const InventoryUpdate& update) {
  std::string out;
  out.reserve(update.product_id.size() + 80);
  out += "{\"product_id\":";
  if (is_canonical_decimal(update.product_id)) {
    out += update.product_id;
  } else {
    out += json(update.product_id).dump(-1, ' ', false, json::error_handler_t::strict);
  }
  out += ",\"quantity\":";
  out += std::to_string(update.quantity);
  if (update.version) {
    out += ",\"version\":";
    out += std::to_string(*update.version);
  }
  out += '}';
  return out;
}

std::uint64_t next_version_stamp() {
  static std::atomic<std::uint64_t> last{0};
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::uint64_t prev = last.load(std::memory_order_relaxed);
  std::uint64_t next = 0;
  do {
    next = now > prev ? now : prev + 1;
  } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  return next;
}

}  // namespace inventory
