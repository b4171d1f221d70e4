// The message contract (SPEC 2): what parse_update accepts and rejects, how
// encode_update writes ids, and the publish-time version stamps.
#include "inventory/update.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace inventory {
namespace {

// {"product_id":<id_json>,"quantity":<qty_json>}
std::string body(std::string_view id_json, std::string_view qty_json) {
  return "{\"product_id\":" + std::string(id_json) + ",\"quantity\":" + std::string(qty_json) + "}";
}

std::string body(std::string_view id_json, std::string_view qty_json, std::string_view version_json) {
  return "{\"product_id\":" + std::string(id_json) + ",\"quantity\":" + std::string(qty_json) +
         ",\"version\":" + std::string(version_json) + "}";
}

// Parses `text` and expects a poison verdict with a reason.
void expect_rejected(std::string_view text) {
  ParsedUpdate parsed;
  ASSERT_NO_THROW(parsed = parse_update(text)) << text;
  EXPECT_FALSE(parsed) << "accepted: " << text;
  EXPECT_FALSE(parsed.update.has_value()) << text;
  EXPECT_FALSE(parsed.error.empty()) << "no reason given for: " << text;
}

InventoryUpdate expect_accepted(std::string_view text) {
  ParsedUpdate parsed;
  EXPECT_NO_THROW(parsed = parse_update(text)) << text;
  EXPECT_TRUE(parsed) << text << " -> " << parsed.error;
  EXPECT_TRUE(parsed.error.empty()) << text;
  return parsed.update.value_or(InventoryUpdate{"<rejected>", -1, std::nullopt});
}

// ---- product_id --------------------------------------------------------------

TEST(ParseUpdate, AcceptsStringIdAndQuantity) {
  const InventoryUpdate u = expect_accepted(body("\"sku-42\"", "7"));
  EXPECT_EQ(u.product_id, "sku-42");
  EXPECT_EQ(u.quantity, 7);
  EXPECT_FALSE(u.version.has_value());
}

TEST(ParseUpdate, IntegerAndStringIdsNameTheSameProduct) {
  const InventoryUpdate from_int = expect_accepted(body("123", "1"));
  const InventoryUpdate from_string = expect_accepted(body("\"123\"", "1"));
  EXPECT_EQ(from_int.product_id, "123");
  EXPECT_EQ(from_string.product_id, "123");
  EXPECT_EQ(from_int, from_string);
}

TEST(ParseUpdate, IntegerIdZeroIsTheStringZero) {
  EXPECT_EQ(expect_accepted(body("0", "1")).product_id, "0");
}

TEST(ParseUpdate, StringIdWithLeadingZeroStaysDistinctFromInteger) {
  EXPECT_EQ(expect_accepted(body("\"0123\"", "1")).product_id, "0123");
  EXPECT_EQ(expect_accepted(body("123", "1")).product_id, "123");
}

TEST(ParseUpdate, LargeNonNegativeIntegerIdIsKeptAsDecimalText) {
  EXPECT_EQ(expect_accepted(body("9223372036854775807", "1")).product_id, "9223372036854775807");
  EXPECT_EQ(expect_accepted(body("18446744073709551615", "1")).product_id, "18446744073709551615");
}

TEST(ParseUpdate, NegativeIntegerIdIsRejected) {
  expect_rejected(body("-1", "1"));
  EXPECT_NE(parse_update(body("-5", "1")).error.find("product_id"), std::string::npos);
}

TEST(ParseUpdate, IntegerIdBeyondUint64IsRejected) {
  expect_rejected(body("18446744073709551616", "1"));
  expect_rejected(body("100000000000000000000000000000", "1"));
}

TEST(ParseUpdate, FloatIdIsRejected) {
  expect_rejected(body("1.0", "1"));
  expect_rejected(body("1e3", "1"));
}

TEST(ParseUpdate, BoolAndNullIdsAreRejected) {
  expect_rejected(body("true", "1"));
  expect_rejected(body("false", "1"));
  expect_rejected(body("null", "1"));
}

TEST(ParseUpdate, IdOf128BytesIsAccepted) {
  const std::string id(128, 'x');
  EXPECT_EQ(expect_accepted(body("\"" + id + "\"", "1")).product_id, id);
}

TEST(ParseUpdate, IdOf129BytesIsRejected) {
  const std::string id(129, 'x');
  expect_rejected(body("\"" + id + "\"", "1"));
  EXPECT_NE(parse_update(body("\"" + id + "\"", "1")).error.find("128"), std::string::npos);
}

TEST(ParseUpdate, IdLimitCountsBytesNotCharacters) {
  // U+65E5 is 3 bytes: 42 of them are 126 bytes, 43 are 129.
  std::string ok;
  for (int i = 0; i < 42; ++i) ok += "\xE6\x97\xA5";
  ok += "ab";
  ASSERT_EQ(ok.size(), 128u);
  EXPECT_EQ(expect_accepted(body("\"" + ok + "\"", "1")).product_id, ok);
  std::string too_long;
  for (int i = 0; i < 43; ++i) too_long += "\xE6\x97\xA5";
  ASSERT_EQ(too_long.size(), 129u);
  expect_rejected(body("\"" + too_long + "\"", "1"));
}

TEST(ParseUpdate, EmptyIdIsRejected) {
  expect_rejected(body("\"\"", "1"));
  EXPECT_NE(parse_update(body("\"\"", "1")).error.find("empty"), std::string::npos);
}

TEST(ParseUpdate, C0ControlCharacterInIdIsRejected) {
  expect_rejected(body("\"a\\u0001b\"", "1"));
  expect_rejected(body("\"a\\u0000b\"", "1"));
  expect_rejected(body("\"a\\nb\"", "1"));
  expect_rejected(body("\"a\\u001fb\"", "1"));
}

TEST(ParseUpdate, DelInIdIsRejected) {
  expect_rejected(body("\"a\x7F" "b\"", "1"));
  expect_rejected(body("\"a\\u007fb\"", "1"));
}

TEST(ParseUpdate, C1ControlCharacterInIdIsRejected) {
  expect_rejected(body("\"a\\u0085b\"", "1"));
  expect_rejected(body("\"a\xC2\x85" "b\"", "1"));  // U+0085 as raw UTF-8
  expect_rejected(body("\"a\\u009fb\"", "1"));
}

TEST(ParseUpdate, SpaceInIdIsRejected) {
  expect_rejected(body("\"a b\"", "1"));
  expect_rejected(body("\" ab\"", "1"));
  expect_rejected(body("\"ab \"", "1"));
}

TEST(ParseUpdate, TabInIdIsRejected) {
  expect_rejected(body("\"a\\tb\"", "1"));
}

TEST(ParseUpdate, NoBreakSpaceInIdIsRejected) {
  expect_rejected(body("\"a\\u00a0b\"", "1"));
  expect_rejected(body("\"a\xC2\xA0" "b\"", "1"));
}

TEST(ParseUpdate, IdeographicSpaceInIdIsRejected) {
  expect_rejected(body("\"a\\u3000b\"", "1"));
  expect_rejected(body("\"a\xE3\x80\x80" "b\"", "1"));
}

TEST(ParseUpdate, OtherUnicodeSpacesInIdAreRejected) {
  for (const char* escape : {"\\u2003", "\\u2028", "\\u2029", "\\u202f", "\\u205f", "\\u1680", "\\ufeff", "\\u200a"})
    expect_rejected(body(std::string("\"a") + escape + "b\"", "1"));
}

TEST(ParseUpdate, RawInvalidUtf8InIdIsRejected) {
  expect_rejected(body("\"a\xFF" "b\"", "1"));
  expect_rejected(body("\"a\xC0\x80" "b\"", "1"));      // overlong NUL
  expect_rejected(body("\"a\xED\xA0\x80" "b\"", "1"));  // UTF-16 surrogate
  expect_rejected(body("\"a\xE2\x82\"", "1"));          // truncated sequence
  expect_rejected(body("\"\x80\"", "1"));               // lone continuation byte
}

TEST(ParseUpdate, UnicodeIdIsAccepted) {
  EXPECT_EQ(expect_accepted(body("\"caf\xC3\xA9-\xE6\x97\xA5-\xF0\x9F\x98\x80\"", "3")).product_id,
            "caf\xC3\xA9-\xE6\x97\xA5-\xF0\x9F\x98\x80");
  EXPECT_EQ(expect_accepted(body("\"\\u00e9\"", "3")).product_id, "\xC3\xA9");
  EXPECT_EQ(expect_accepted(body("\"\\ud83d\\ude00\"", "3")).product_id, "\xF0\x9F\x98\x80");
}

TEST(ParseUpdate, EscapedQuoteAndBackslashInIdAreDecoded) {
  EXPECT_EQ(expect_accepted(body(R"("a\"b\\c\/d")", "1")).product_id, "a\"b\\c/d");
}

TEST(ParseUpdate, MissingIdIsRejected) {
  expect_rejected(R"({"quantity":1})");
  EXPECT_NE(parse_update(R"({"quantity":1})").error.find("product_id"), std::string::npos);
}

// ---- product_id_problem ----------------------------------------------------------

TEST(ProductIdProblem, AcceptsOrdinaryIds) {
  for (std::string_view id : {"1", "sku-42", "a/b", "A_b.c:d", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80", "~!@#$%^&*()"})
    EXPECT_EQ(product_id_problem(id), std::nullopt) << id;
  EXPECT_EQ(product_id_problem(std::string(128, 'z')), std::nullopt);
}

TEST(ProductIdProblem, NamesEachProblem) {
  EXPECT_NE(product_id_problem("").value_or("").find("empty"), std::string::npos);
  EXPECT_NE(product_id_problem(std::string(129, 'z')).value_or("").find("128"), std::string::npos);
  EXPECT_NE(product_id_problem("a\x01").value_or("").find("control"), std::string::npos);
  EXPECT_NE(product_id_problem("a\x7F").value_or("").find("control"), std::string::npos);
  EXPECT_NE(product_id_problem("a\xC2\x85").value_or("").find("control"), std::string::npos);
  EXPECT_NE(product_id_problem("a\xC2\x9F").value_or("").find("control"), std::string::npos);
  EXPECT_NE(product_id_problem("a b").value_or("").find("whitespace"), std::string::npos);
  EXPECT_NE(product_id_problem("a\xC2\xA0").value_or("").find("whitespace"), std::string::npos);
  EXPECT_NE(product_id_problem("a\xE3\x80\x80").value_or("").find("whitespace"), std::string::npos);
  EXPECT_NE(product_id_problem("a\xFF").value_or("").find("UTF-8"), std::string::npos);
}

TEST(ProductIdProblem, RejectsEmbeddedNul) {
  EXPECT_TRUE(product_id_problem(std::string_view("a\0b", 3)).has_value());
}

TEST(ProductIdProblem, RejectsMalformedUtf8) {
  for (std::string_view id : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80",
                              "\xF8\x88\x80\x80\x80", "\xE2\x82", "\x80", "a\xC3", "\xC3\x28"})
    EXPECT_TRUE(product_id_problem(id).has_value()) << "accepted bad UTF-8 of " << id.size() << " bytes";
}

TEST(ProductIdProblem, AcceptsUtf8Boundaries) {
  EXPECT_EQ(product_id_problem("\xC2\xA1"), std::nullopt);          // U+00A1, first after the C1 block and NBSP
  EXPECT_EQ(product_id_problem("\xEF\xBF\xBD"), std::nullopt);      // U+FFFD
  EXPECT_EQ(product_id_problem("\xF4\x8F\xBF\xBF"), std::nullopt);  // U+10FFFF
  EXPECT_EQ(product_id_problem("\xEE\x80\x80"), std::nullopt);      // U+E000, just past the surrogates
}

// ---- quantity --------------------------------------------------------------------

TEST(ParseUpdate, QuantityZeroIsAccepted) { EXPECT_EQ(expect_accepted(body("1", "0")).quantity, 0); }

TEST(ParseUpdate, QuantityMaxInt64IsAccepted) {
  EXPECT_EQ(expect_accepted(body("1", "9223372036854775807")).quantity, std::numeric_limits<std::int64_t>::max());
}

TEST(ParseUpdate, QuantityTwoToThe63IsRejected) {
  expect_rejected(body("1", "9223372036854775808"));
  expect_rejected(body("1", "18446744073709551615"));
}

TEST(ParseUpdate, HugeIntegerQuantityIsRejected) {
  expect_rejected(body("1", "18446744073709551616"));
  expect_rejected(body("1", std::string(400, '9')));
  expect_rejected(body("1", "1" + std::string(400, '0')));
}

TEST(ParseUpdate, HugeExponentQuantityIsRejected) {
  expect_rejected(body("1", "1e400"));
  expect_rejected(body("1", "-1e400"));
}

TEST(ParseUpdate, NegativeQuantityIsRejected) {
  expect_rejected(body("1", "-1"));
  expect_rejected(body("1", "-9223372036854775808"));
  EXPECT_NE(parse_update(body("1", "-1")).error.find("quantity"), std::string::npos);
}

TEST(ParseUpdate, FloatQuantityIsRejectedEvenWhenIntegral) {
  expect_rejected(body("1", "1.0"));
  expect_rejected(body("1", "1.5"));
  expect_rejected(body("1", "0.0"));
  expect_rejected(body("1", "-0.0"));
}

TEST(ParseUpdate, ExponentQuantityIsRejected) {
  expect_rejected(body("1", "1e3"));
  expect_rejected(body("1", "1E3"));
  expect_rejected(body("1", "1e+3"));
}

TEST(ParseUpdate, StringQuantityIsRejected) {
  expect_rejected(body("1", "\"5\""));
  EXPECT_NE(parse_update(body("1", "\"5\"")).error.find("string"), std::string::npos);
}

TEST(ParseUpdate, BoolQuantityIsRejected) {
  expect_rejected(body("1", "true"));
  expect_rejected(body("1", "false"));
}

TEST(ParseUpdate, NullQuantityIsRejected) { expect_rejected(body("1", "null")); }

TEST(ParseUpdate, MissingQuantityIsRejected) {
  expect_rejected(R"({"product_id":"a"})");
  EXPECT_NE(parse_update(R"({"product_id":"a"})").error.find("quantity"), std::string::npos);
}

// ---- version ---------------------------------------------------------------------

TEST(ParseUpdate, VersionIsOptional) { EXPECT_EQ(expect_accepted(body("1", "2")).version, std::nullopt); }

TEST(ParseUpdate, VersionIsRead) {
  EXPECT_EQ(expect_accepted(body("1", "2", "1700000000000000")).version, std::optional<std::uint64_t>(1700000000000000));
  EXPECT_EQ(expect_accepted(body("1", "2", "0")).version, std::optional<std::uint64_t>(0));
}

TEST(ParseUpdate, VersionTakesTheWholeUnsignedRange) {
  EXPECT_EQ(expect_accepted(body("1", "2", "18446744073709551615")).version,
            std::optional<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
  expect_rejected(body("1", "2", "18446744073709551616"));
}

TEST(ParseUpdate, NegativeVersionIsRejected) {
  expect_rejected(body("1", "2", "-1"));
  EXPECT_NE(parse_update(body("1", "2", "-1")).error.find("version"), std::string::npos);
}

TEST(ParseUpdate, StringVersionIsRejected) { expect_rejected(body("1", "2", "\"5\"")); }

TEST(ParseUpdate, FloatBoolAndNullVersionsAreRejected) {
  expect_rejected(body("1", "2", "1.0"));
  expect_rejected(body("1", "2", "1e3"));
  expect_rejected(body("1", "2", "true"));
  expect_rejected(body("1", "2", "null"));
}

// ---- shape of the body ---------------------------------------------------------------

TEST(ParseUpdate, FieldsInAnyOrder) {
  const InventoryUpdate u = expect_accepted(R"({"version":9,"quantity":4,"product_id":"z"})");
  EXPECT_EQ(u, (InventoryUpdate{"z", 4, 9}));
}

TEST(ParseUpdate, UnknownScalarFieldsAreIgnored) {
  const InventoryUpdate u =
      expect_accepted(R"({"product_id":"a","s":"t","f":1.5,"n":-3,"b":true,"z":null,"big":1e300,)"
                      R"("huge":100000000000000000000000,"quantity":1})");
  EXPECT_EQ(u, (InventoryUpdate{"a", 1, std::nullopt}));
}

TEST(ParseUpdate, UnknownFieldWithOverflowingNumberIsIgnored) {
  // 1e400 is valid JSON (RFC 8259 grammar); in a field we do not read it must not
  // make the message poison.
  EXPECT_EQ(expect_accepted(R"({"product_id":"a","quantity":1,"big":1e400})"), (InventoryUpdate{"a", 1, std::nullopt}));
  EXPECT_EQ(expect_accepted(R"({"product_id":"a","quantity":1,"meta":{"big":-1e400}})"),
            (InventoryUpdate{"a", 1, std::nullopt}));
}

TEST(ParseUpdate, UnknownNestedFieldsAreIgnoredEvenWhenTheyReuseKnownNames) {
  const InventoryUpdate u = expect_accepted(
      R"({"product_id":"a","meta":{"product_id":-5,"quantity":"x","version":[1.5],"deep":{"a":[{"b":null}]}},)"
      R"("tags":[[],{},"x",-1,2.5,[{"quantity":-1}]],"quantity":1,"after":{}})");
  EXPECT_EQ(u, (InventoryUpdate{"a", 1, std::nullopt}));
}

TEST(ParseUpdate, ObjectForKnownFieldIsRejected) {
  expect_rejected(R"({"product_id":{"id":1},"quantity":1})");
  expect_rejected(R"({"product_id":"a","quantity":{}})");
  expect_rejected(R"({"product_id":"a","quantity":1,"version":{}})");
}

TEST(ParseUpdate, ArrayForKnownFieldIsRejected) {
  expect_rejected(R"({"product_id":["a"],"quantity":1})");
  expect_rejected(R"({"product_id":"a","quantity":[1]})");
  expect_rejected(R"({"product_id":"a","quantity":1,"version":[]})");
}

TEST(ParseUpdate, TopLevelArrayIsRejected) {
  expect_rejected("[]");
  expect_rejected(R"([{"product_id":"a","quantity":1}])");
}

TEST(ParseUpdate, TopLevelScalarIsRejected) {
  for (std::string_view text : {"1", "-1", "1.5", "\"a\"", "true", "null"}) expect_rejected(text);
}

TEST(ParseUpdate, EmptyObjectIsRejected) { expect_rejected("{}"); }

TEST(ParseUpdate, EmptyBodyIsRejected) {
  expect_rejected("");
  EXPECT_NE(parse_update("").error.find("empty"), std::string::npos);
}

TEST(ParseUpdate, WhitespaceOnlyBodyIsRejected) { expect_rejected(" \n\t "); }

TEST(ParseUpdate, SurroundingWhitespaceIsAllowed) {
  EXPECT_EQ(expect_accepted(" \n{ \"product_id\" : \"a\" , \"quantity\" : 1 }\n "), (InventoryUpdate{"a", 1, std::nullopt}));
}

TEST(ParseUpdate, BodyOf64KiBIsAccepted) {
  const std::string head = R"({"product_id":"a","quantity":1,"pad":")";
  const std::string tail = R"("})";
  const std::string text = head + std::string(kMaxBodyBytes - head.size() - tail.size(), 'p') + tail;
  ASSERT_EQ(text.size(), 65536u);
  EXPECT_EQ(expect_accepted(text), (InventoryUpdate{"a", 1, std::nullopt}));
}

TEST(ParseUpdate, BodyOverThe64KiBLimitIsRejected) {
  const std::string head = R"({"product_id":"a","quantity":1,"pad":")";
  const std::string tail = R"("})";
  const std::string text = head + std::string(kMaxBodyBytes + 1 - head.size() - tail.size(), 'p') + tail;
  ASSERT_EQ(text.size(), 65537u);
  expect_rejected(text);
  EXPECT_NE(parse_update(text).error.find("64 KiB"), std::string::npos);
}

TEST(ParseUpdate, DuplicateProductIdIsRejected) {
  expect_rejected(R"({"product_id":"a","product_id":"b","quantity":1})");
  expect_rejected(R"({"product_id":"a","product_id":"a","quantity":1})");
  expect_rejected(R"({"product_id":1,"product_id":"1","quantity":1})");
  EXPECT_NE(parse_update(R"({"product_id":"a","product_id":"b","quantity":1})").error.find("twice"), std::string::npos);
}

TEST(ParseUpdate, DuplicateQuantityIsRejected) {
  expect_rejected(R"({"product_id":"a","quantity":1,"quantity":2})");
}

TEST(ParseUpdate, DuplicateVersionIsRejected) {
  expect_rejected(R"({"product_id":"a","quantity":1,"version":1,"version":2})");
}

TEST(ParseUpdate, DuplicateUnknownFieldIsIgnored) {
  EXPECT_EQ(expect_accepted(R"({"x":1,"product_id":"a","x":2,"quantity":1})").product_id, "a");
}

TEST(ParseUpdate, NotJsonIsRejected) {
  for (std::string_view text : {"hello", "{", "}", "{product_id:1,quantity:1}", "{'product_id':1,'quantity':1}",
                                R"({"product_id":"a","quantity":1)", R"({"product_id":"a","quantity":1,})",
                                R"({"product_id":"a" "quantity":1})", R"({"product_id":"a","quantity":01})",
                                "product_id,quantity\n1,2"})
    expect_rejected(text);
  EXPECT_NE(parse_update("hello").error.find("JSON"), std::string::npos);
}

TEST(ParseUpdate, TrailingGarbageIsRejected) {
  expect_rejected(R"({"product_id":"a","quantity":1}x)");
  expect_rejected(R"({"product_id":"a","quantity":1}{"product_id":"b","quantity":2})");
  expect_rejected(R"({"product_id":"a","quantity":1},)");
}

TEST(ParseUpdate, TrailingNulAndGarbageAreRejected) {
  // A NUL byte is not JSON whitespace: what follows the object is still garbage.
  using namespace std::string_literals;
  expect_rejected("{\"product_id\":\"a\",\"quantity\":1}\0"s);
  expect_rejected("{\"product_id\":\"a\",\"quantity\":1}\0garbage"s);
  expect_rejected("{\"product_id\":\"a\",\"quantity\":1}\0{\"product_id\":\"b\",\"quantity\":2}"s);
}

TEST(ParseUpdate, RawInvalidUtf8InUnknownFieldIsRejected) {
  // The whole body must be UTF-8 JSON, not only the fields we read.
  expect_rejected("{\"product_id\":\"a\",\"quantity\":1,\"note\":\"\xFF\"}");
}

TEST(ParseUpdate, NeverThrowsOnTruncationsOfAValidBody) {
  const std::string good = R"({"product_id":"a\"b","quantity":12,"version":3,"x":[{"y":1.5}]})";
  ASSERT_TRUE(parse_update(good));
  for (std::size_t n = 0; n < good.size(); ++n) expect_rejected(std::string_view(good).substr(0, n));
}

// ---- decimal helpers ---------------------------------------------------------------

TEST(IsCanonicalDecimal, DigitsWithoutLeadingZeroWithinInt64) {
  for (std::string_view id : {"0", "1", "123", "9223372036854775807", "1000000000000000000"})
    EXPECT_TRUE(is_canonical_decimal(id)) << id;
}

TEST(IsCanonicalDecimal, RejectsEverythingElse) {
  for (std::string_view id : {"", "00", "0123", "-1", "-0", "+1", "1.0", "1e3", " 1", "1 ", "abc", "12a",
                              "9223372036854775808", "18446744073709551615", "99999999999999999999"})
    EXPECT_FALSE(is_canonical_decimal(id)) << id;
}

TEST(ParseDecimalInt64, AcceptsStrictDecimals) {
  EXPECT_EQ(parse_decimal_int64("0"), std::optional<std::int64_t>(0));
  EXPECT_EQ(parse_decimal_int64("42"), std::optional<std::int64_t>(42));
  EXPECT_EQ(parse_decimal_int64("-42"), std::optional<std::int64_t>(-42));
  EXPECT_EQ(parse_decimal_int64("007"), std::optional<std::int64_t>(7));
  EXPECT_EQ(parse_decimal_int64("9223372036854775807"), std::optional<std::int64_t>(std::numeric_limits<std::int64_t>::max()));
  EXPECT_EQ(parse_decimal_int64("-9223372036854775808"), std::optional<std::int64_t>(std::numeric_limits<std::int64_t>::min()));
}

TEST(ParseDecimalInt64, RejectsAnythingElse) {
  for (std::string_view text : {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc", "--1", "1-",
                                "9223372036854775808", "-9223372036854775809", "99999999999999999999"})
    EXPECT_EQ(parse_decimal_int64(text), std::nullopt) << text;
}

TEST(ParseDecimalUint64, AcceptsTheWholeUnsignedRange) {
  EXPECT_EQ(parse_decimal_uint64("0"), std::optional<std::uint64_t>(0));
  EXPECT_EQ(parse_decimal_uint64("18446744073709551615"), std::optional<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
}

TEST(ParseDecimalUint64, RejectsSignsSpacesAndOverflow) {
  for (std::string_view text : {"", "-", "-1", "+1", " 1", "1 ", "1.0", "abc", "18446744073709551616"})
    EXPECT_EQ(parse_decimal_uint64(text), std::nullopt) << text;
}

// ---- encode_update ------------------------------------------------------------------

TEST(EncodeUpdate, CanonicalDecimalIdIsWrittenAsInteger) {
  EXPECT_EQ(encode_update({"123", 5, std::nullopt}), R"({"product_id":123,"quantity":5})");
  EXPECT_EQ(encode_update({"0", 0, std::nullopt}), R"({"product_id":0,"quantity":0})");
  EXPECT_EQ(encode_update({"9223372036854775807", 1, std::nullopt}), R"({"product_id":9223372036854775807,"quantity":1})");
}

TEST(EncodeUpdate, OtherIdsAreWrittenAsStrings) {
  EXPECT_EQ(encode_update({"0123", 5, std::nullopt}), R"({"product_id":"0123","quantity":5})");
  EXPECT_EQ(encode_update({"-1", 5, std::nullopt}), R"({"product_id":"-1","quantity":5})");
  EXPECT_EQ(encode_update({"9223372036854775808", 5, std::nullopt}), R"({"product_id":"9223372036854775808","quantity":5})");
  EXPECT_EQ(encode_update({"abc", 5, std::nullopt}), R"({"product_id":"abc","quantity":5})");
}

TEST(EncodeUpdate, VersionIsIncludedOnlyWhenSet) {
  EXPECT_EQ(encode_update({"abc", 5, std::nullopt}).find("version"), std::string::npos);
  EXPECT_EQ(encode_update({"abc", 5, 17}), R"({"product_id":"abc","quantity":5,"version":17})");
  EXPECT_EQ(encode_update({"abc", 5, 0}), R"({"product_id":"abc","quantity":5,"version":0})");
}

TEST(EncodeUpdate, EscapesQuoteAndBackslash) {
  EXPECT_EQ(encode_update({"a\"b\\c", 1, std::nullopt}), R"({"product_id":"a\"b\\c","quantity":1})");
}

TEST(EncodeUpdate, RoundTripsThroughParse) {
  std::string long_ascii(128, 'q');
  std::string long_multibyte;
  for (int i = 0; i < 32; ++i) long_multibyte += "\xF0\x9F\x98\x80";  // 128 bytes
  const std::vector<std::string> ids = {
      "123", "0", "0123", "-1", "+1", "9223372036854775807", "9223372036854775808", "18446744073709551615",
      "abc", "sku-42", "a\"b", "back\\slash", "\"", "\\", "\\u0041", "a/b", "</script>", "{\"x\":1}", "1.5",
      "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF",
      "\xC2\xA1", "null", "true", long_ascii, long_multibyte};
  const std::vector<std::int64_t> quantities = {0, 1, 42, std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::optional<std::uint64_t>> versions = {std::nullopt, 0, 1, 1700000000000000,
                                                              std::numeric_limits<std::uint64_t>::max()};
  for (const auto& id : ids) {
    ASSERT_EQ(product_id_problem(id), std::nullopt) << id;
    for (auto q : quantities) {
      for (const auto& v : versions) {
        const InventoryUpdate u{id, q, v};
        const std::string encoded = encode_update(u);
        const ParsedUpdate back = parse_update(encoded);
        ASSERT_TRUE(back) << encoded << " -> " << back.error;
        EXPECT_EQ(*back.update, u) << encoded;
      }
    }
  }
}

// ---- next_version_stamp ---------------------------------------------------------------

std::uint64_t wall_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

TEST(NextVersionStamp, IsStrictlyIncreasing) {
  std::uint64_t prev = next_version_stamp();
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t next = next_version_stamp();
    ASSERT_GT(next, prev) << "call " << i;
    prev = next;
  }
}

TEST(NextVersionStamp, IsMicrosecondsSinceTheEpoch) {
  constexpr std::uint64_t kCalls = 1000;
  const std::uint64_t before = wall_us();
  std::uint64_t last = 0;
  for (std::uint64_t i = 0; i < kCalls; ++i) last = next_version_stamp();
  const std::uint64_t after = wall_us();
  // Each stamp is max(now, previous + 1): never before the clock, and ahead of it
  // by at most one microsecond per call made within the same microsecond (this
  // process makes some thousands of calls in all, hence the margin).
  EXPECT_GE(last, before);
  EXPECT_LE(last, after + kCalls + 200'000);
  // Sanity: microseconds, not milliseconds or nanoseconds (2020-01-01 .. 2100-01-01).
  EXPECT_GT(last, 1'577'836'800'000'000ull);
  EXPECT_LT(last, 4'102'444'800'000'000ull);
}

}  // namespace
}  // namespace inventory
