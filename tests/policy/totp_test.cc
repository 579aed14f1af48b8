// HOTP/TOTP against the RFC test vectors, Base32, replay refusal and the skew window.
#include "custodian/policy/totp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace custodian::policy {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// The RFC 4226 / RFC 6238 SHA-1 secret.
const std::vector<uint8_t> kRfcSecret = Bytes("12345678901234567890");

TimePoint AtSeconds(int64_t s) { return FromUnixMillis(s * 1000); }

std::string Code(uint32_t value, int digits) {
  std::string s = std::to_string(value);
  return std::string(static_cast<size_t>(digits) - s.size(), '0') + s;
}

TEST(Hotp, MatchesRfc4226AppendixD) {
  const uint32_t expected[] = {755224, 287082, 359152, 969429, 338314,
                               254676, 287922, 162583, 399871, 520489};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(Hotp(kRfcSecret, counter), expected[counter]) << "counter " << counter;
  }
}

TEST(Totp, MatchesRfc6238AppendixBSha1) {
  const struct {
    int64_t time;
    const char* code;
  } vectors[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                 {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  const TotpOptions opts{.digits = 8, .period_s = 30, .window = 0};
  for (const auto& v : vectors) {
    EXPECT_EQ(Code(Hotp(kRfcSecret, static_cast<uint64_t>(v.time / 30), 8), 8), v.code)
        << "T=" << v.time;
    auto step = VerifyTotp(kRfcSecret, v.code, AtSeconds(v.time), -1, opts);
    ASSERT_TRUE(step.ok()) << "T=" << v.time << ": " << step.status().ToString();
    EXPECT_EQ(*step, v.time / 30);
  }
}

TEST(Base32, MatchesRfc4648Vectors) {
  const struct {
    const char* plain;
    const char* unpadded;
    const char* padded;
  } vectors[] = {{"", "", ""},
                 {"f", "MY", "MY======"},
                 {"fo", "MZXQ", "MZXQ===="},
                 {"foo", "MZXW6", "MZXW6==="},
                 {"foob", "MZXW6YQ", "MZXW6YQ="},
                 {"fooba", "MZXW6YTB", "MZXW6YTB"},
                 {"foobar", "MZXW6YTBOI", "MZXW6YTBOI======"}};
  for (const auto& v : vectors) {
    EXPECT_EQ(Base32Encode(Bytes(v.plain)), v.unpadded);
    for (std::string text : {std::string(v.unpadded), std::string(v.padded)}) {
      auto decoded = Base32Decode(text);
      ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.status().ToString();
      EXPECT_EQ(*decoded, Bytes(v.plain)) << text;
    }
  }
}

TEST(Base32, DecodesLowerCaseAndGroupedText) {
  auto decoded = Base32Decode("mzxw 6ytb oi");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, Bytes("foobar"));
}

TEST(Base32, RoundTripsEveryLengthAndByte) {
  std::vector<uint8_t> data;
  for (int n = 0; n < 64; ++n) {
    auto decoded = Base32Decode(Base32Encode(data));
    ASSERT_TRUE(decoded.ok()) << "length " << n;
    EXPECT_EQ(*decoded, data) << "length " << n;
    data.push_back(static_cast<uint8_t>(n * 37 + 200));
  }
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
  EXPECT_EQ(*Base32Decode(Base32Encode(all)), all);
}

TEST(Base32, RefusesBadCharactersPaddingAndLengths) {
  for (const char* bad : {"MZXW1", "MZXW8", "MZ-XW", "M", "MZX", "MZXW6Y", "MY=", "MY=A",
                          "MZXW6YTB========", "MY=====", "========"}) {
    auto decoded = Base32Decode(bad);
    EXPECT_FALSE(decoded.ok()) << bad;
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(NewTotpSecret, IsTwentyRandomBytes) {
  const auto a = NewTotpSecret();
  const auto b = NewTotpSecret();
  EXPECT_EQ(a.size(), kTotpSecretBytes);
  EXPECT_NE(a, b);
}

class VerifyTotpTest : public testing::Test {
 protected:
  // 1,700,000,010 s is the first second of step 56,666,667.
  const int64_t step_ = 56'666'667;
  const TimePoint now_ = AtSeconds(1'700'000'010);
  std::string CodeAt(int64_t step) const { return Code(Hotp(kRfcSecret, static_cast<uint64_t>(step)), 6); }
};

TEST_F(VerifyTotpTest, AcceptsTheCurrentCodeAndReturnsItsStep) {
  auto step = VerifyTotp(kRfcSecret, CodeAt(step_), now_, -1, {});
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(*step, step_);
}

TEST_F(VerifyTotpTest, WindowAcceptsOneStepEitherSideAndNoFurther) {
  for (int64_t d : {-1, 1}) {
    auto step = VerifyTotp(kRfcSecret, CodeAt(step_ + d), now_, -1, {});
    ASSERT_TRUE(step.ok()) << d;
    EXPECT_EQ(*step, step_ + d);
  }
  for (int64_t d : {-2, 2}) {
    auto step = VerifyTotp(kRfcSecret, CodeAt(step_ + d), now_, -1, {});
    ASSERT_FALSE(step.ok()) << d;
    EXPECT_EQ(step.status().code(), StatusCode::kUnauthenticated);
  }
  // With no window only the current step counts.
  EXPECT_FALSE(VerifyTotp(kRfcSecret, CodeAt(step_ + 1), now_, -1, {.window = 0}).ok());
  EXPECT_TRUE(VerifyTotp(kRfcSecret, CodeAt(step_ + 2), now_, -1, {.window = 2}).ok());
}

TEST_F(VerifyTotpTest, StepBoundaryFollowsThePeriod) {
  // The last millisecond of a step and the first of the next.
  const TimePoint end_of_step = FromUnixMillis((step_ + 1) * 30'000 - 1);
  EXPECT_EQ(*VerifyTotp(kRfcSecret, CodeAt(step_), end_of_step, -1, {.window = 0}), step_);
  EXPECT_FALSE(VerifyTotp(kRfcSecret, CodeAt(step_), end_of_step + std::chrono::milliseconds(1),
                          -1, {.window = 0})
                   .ok());
}

TEST_F(VerifyTotpTest, ReplayOfAnAcceptedCodeIsRefusedAsAlreadyUsed) {
  const std::string code = CodeAt(step_);
  auto first = VerifyTotp(kRfcSecret, code, now_, -1, {});
  ASSERT_TRUE(first.ok());
  auto again = VerifyTotp(kRfcSecret, code, now_, *first, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(again.status().message().find("already used"), std::string::npos)
      << again.status().message();
  // An older code still inside the window is refused too once a later one was used.
  auto older = VerifyTotp(kRfcSecret, CodeAt(step_ - 1), now_, step_, {});
  ASSERT_FALSE(older.ok());
  EXPECT_NE(older.status().message().find("already used"), std::string::npos);
  // The next step's code is fine.
  EXPECT_EQ(*VerifyTotp(kRfcSecret, CodeAt(step_ + 1), now_, step_, {}), step_ + 1);
}

TEST_F(VerifyTotpTest, WrongCodeIsRefusedWithoutSayingAlreadyUsed) {
  std::string code = CodeAt(step_);
  code[0] = code[0] == '9' ? '0' : static_cast<char>(code[0] + 1);
  auto step = VerifyTotp(kRfcSecret, code, now_, -1, {.window = 0});
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(step.status().message().find("already used"), std::string::npos);
}

TEST_F(VerifyTotpTest, MalformedCodesAreRefused) {
  const std::string good = CodeAt(step_);
  for (const std::string& bad : {std::string(""), good.substr(0, 5), good + "0", " " + good,
                                 good.substr(0, 5) + "a", std::string("12345\xd9"),
                                 std::string("+12345"), std::string("-12345"),
                                 std::string("１２３４５６")}) {
    auto step = VerifyTotp(kRfcSecret, bad, now_, -1, {});
    ASSERT_FALSE(step.ok()) << bad;
    EXPECT_EQ(step.status().code(), StatusCode::kUnauthenticated) << bad;
  }
}

TEST_F(VerifyTotpTest, BadOptionsAndEmptySecretAreInvalidArguments) {
  const std::string code = CodeAt(step_);
  for (const TotpOptions& opts : {TotpOptions{.digits = 5}, TotpOptions{.digits = 9},
                                  TotpOptions{.period_s = 0}, TotpOptions{.window = -1},
                                  TotpOptions{.window = 11}}) {
    EXPECT_EQ(VerifyTotp(kRfcSecret, code, now_, -1, opts).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(VerifyTotp({}, code, now_, -1, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(TotpUri, EncodesIssuerAndAccountAndCarriesTheParameters) {
  const std::string uri = TotpUri("City PD & Co", "j.doe@city.gov", Bytes("foobar"), {});
  EXPECT_EQ(uri,
            "otpauth://totp/City%20PD%20%26%20Co:j.doe%40city.gov?secret=MZXW6YTBOI"
            "&issuer=City%20PD%20%26%20Co&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(TotpUri("", "a:b", Bytes("f"), {.digits = 8, .period_s = 60}),
            "otpauth://totp/a%3Ab?secret=MY&algorithm=SHA1&digits=8&period=60");
}

}  // namespace
}  // namespace custodian::policy
