#include "custodian/vision/plate_format.h"

#include <gtest/gtest.h>

namespace custodian::vision {
namespace {

class PlateFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    auto book = FormatBook::Load(std::string(CUSTODIAN_TEST_SOURCE_DIR) + "/models/plate_formats.json");
    ASSERT_TRUE(book.ok()) << book.status().ToString();
    book_ = std::move(*book);
  }
  const CountryProfile& Profile(const std::string& name) { return *book_.ProfilesFor(name).value().front(); }
  FormatBook book_;
};

TEST_F(PlateFormat, BrazilianOldPlateCorrectsLetterOForDigit) {
  FormatFit fit = book_.Fit(Profile("br"), "ABC12O4");
  EXPECT_TRUE(fit.fits);
  EXPECT_EQ(fit.text, "ABC1204");
  EXPECT_EQ(fit.format, "LLLNNNN");
  EXPECT_EQ(fit.corrections, 1);
}

TEST_F(PlateFormat, MercosulPlateFitsWithoutChange) {
  FormatFit fit = book_.Fit(Profile("br"), "ABC1D23");
  EXPECT_TRUE(fit.fits);
  EXPECT_EQ(fit.text, "ABC1D23");
  EXPECT_EQ(fit.corrections, 0);
  EXPECT_EQ(fit.format, "LLLNLNN");
}

TEST_F(PlateFormat, DigitsInLetterPositionsBecomeLetters) {
  FormatFit fit = book_.Fit(Profile("br"), "8C51234");  // B, C, S expected
  EXPECT_TRUE(fit.fits);
  EXPECT_EQ(fit.text, "BCS1234");
}

TEST_F(PlateFormat, WrongLengthDoesNotFit) {
  EXPECT_FALSE(book_.Fit(Profile("br"), "ABC123").fits);
  EXPECT_EQ(book_.Fit(Profile("br"), "ABC123").text, "ABC123");
}

TEST_F(PlateFormat, CaliforniaPatternFits) {
  FormatFit fit = book_.Fit(Profile("us"), "7ABC123");
  EXPECT_TRUE(fit.fits);
  EXPECT_EQ(fit.format, "NLLLNNN");
}

TEST_F(PlateFormat, AutoTriesEveryProfileAndUnknownCountryIsAnError) {
  EXPECT_EQ(book_.ProfilesFor("auto").value().size(), book_.profiles().size());
  auto bad = book_.ProfilesFor("xx");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("unknown country 'xx'"), std::string::npos);
}

TEST(PlateFormatParse, RejectsMalformedFiles) {
  EXPECT_EQ(FormatBook::Parse("{").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatBook::Parse(R"({"profiles": []})").status().code(), StatusCode::kInvalidArgument);
  auto bad_alpha = FormatBook::Parse(R"({"profiles": [{"name": "x", "formats": ["LLX"]}]})");
  ASSERT_FALSE(bad_alpha.ok());
  EXPECT_NE(bad_alpha.status().message().find("may only use L, N and A"), std::string::npos);
  EXPECT_EQ(FormatBook::Load("/nonexistent/formats.json").status().code(), StatusCode::kNotFound);
}

TEST(PlateFormatParse, CharWeightsAreSingleCharactersWithWeightsInZeroToOne) {
  auto ok = FormatBook::Parse(R"({"profiles": [{"name": "x", "formats": ["LLN"], "char_weight": {"O": 0.9}}]})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FLOAT_EQ(ok->profiles()[0].char_weight['O'], 0.9f);
  EXPECT_FLOAT_EQ(ok->profiles()[0].char_weight['0'], 1.0f);
  for (const char* bad : {R"({"O": 0})", R"({"O": 1.5})", R"({"OI": 0.9})", R"({"-": 0.9})", R"([0.9])"}) {
    auto r = FormatBook::Parse(std::string(R"({"profiles": [{"name": "x", "formats": ["LLN"], "char_weight": )") + bad +
                               "}]}");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("char_weight"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace custodian::vision
