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

TEST(PlateFormatParse, RegionsNeedCodesNamesAndLetterDigitFormats) {
  auto ok = FormatBook::Parse(
      R"({"profiles": [{"name": "us", "formats": ["LLN"], "regions": [{"code": "in", "names": ["INDIANA"], "formats": ["NNNLLL"]}]}]})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->profiles()[0].regions.size(), 1u);
  EXPECT_EQ(ok->profiles()[0].regions[0].code, "in");
  EXPECT_EQ(ok->profiles()[0].regions[0].formats[0], "NNNLLL");
  for (const char* bad : {R"({"code": "", "names": ["X"]})", R"({"code": "in", "names": []})",
                          R"({"code": "in", "names": ["Indiana"]})", R"({"code": "in", "names": ["IN DIANA"]})",
                          R"({"code": "in", "names": ["INDIANA"], "formats": ["NNA"]})"}) {
    auto r = FormatBook::Parse(std::string(R"({"profiles": [{"name": "us", "formats": ["LLN"], "regions": [)") + bad +
                               "]}]}");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

std::vector<Region> SomeStates() {
  return {{"va", {"VIRGINIA"}, {"LLLNNNN"}},
          {"wv", {"WESTVIRGINIA", "WILDWONDERFUL"}, {"NLLNNN"}},
          {"ks", {"KANSAS"}, {"NNNLLL"}},
          {"ar", {"ARKANSAS", "THENATURALSTATE"}, {"NNNLLL"}},
          {"ri", {"RHODEISLAND", "OCEANSTATE"}, {"LLNNN"}}};
}

// What the second-opinion network reads off the bands of real plates (held-out crops):
// a few characters wrong, extra characters around the name.
TEST(RegionMatch, NamesTheStateDespiteMisreadCharacters) {
  auto states = SomeStates();
  RegionMatch m = MatchRegion(states, {"RHODEISLAND", "OCEANSTATE"});
  ASSERT_EQ(m.index, 4);
  EXPECT_EQ(m.evidence, 21);
  EXPECT_FLOAT_EQ(m.confidence, 1.f);
  EXPECT_EQ(MatchRegion(states, {"FEBRHODELSLAND"}).index, 4);  // month sticker, I read L
  EXPECT_EQ(MatchRegion(states, {"THENATRALSTTE"}).index, 3);  // the slogan alone
}

TEST(RegionMatch, TheLongerNameWinsWhereOneContainsAnother) {
  auto states = SomeStates();
  EXPECT_EQ(MatchRegion(states, {"WESTVIRGINIA", "WIDWONDE"}).index, 1);  // not Virginia
  EXPECT_EQ(MatchRegion(states, {"ARKANSAS"}).index, 3);                   // 8 against Kansas's 6
}

TEST(RegionMatch, TooLittleOrTiedEvidenceNamesNoState) {
  auto states = SomeStates();
  EXPECT_EQ(MatchRegion(states, {}).index, -1);
  EXPECT_EQ(MatchRegion(states, {"", "AB", "G"}).index, -1);
  EXPECT_EQ(MatchRegion(states, {"VIRGINIA"}).index, -1);  // 8 for Virginia, 8 for West Virginia
  EXPECT_EQ(MatchRegion(states, {"AKANSAS"}).index, -1);   // 7 for Arkansas, 6 for Kansas: a lead of 1
  EXPECT_EQ(MatchRegion(states, {"OCEAN"}).index, -1);    // 5 of 10: too many wrong
  EXPECT_EQ(MatchRegion(states, {"ZQXJWPK"}).index, -1);  // nothing
}

TEST(SettleByRegion, ZeroAndOneFollowTheStatesFormats) {
  Region in{"in", {"INDIANA"}, {"NNNLLL", "NNNL"}};
  EXPECT_EQ(SettleByRegion(in, "824B0J"), "824BOJ");
  EXPECT_EQ(SettleByRegion(in, "8248OJ"), "8248OJ");  // no format agrees with 8 in a letter place
  Region ri{"ri", {"RHODEISLAND"}, {"LLNNN", "NNNNNN"}};
  EXPECT_EQ(SettleByRegion(ri, "V0820"), "VO820");
  EXPECT_EQ(SettleByRegion(ri, "7O3579"), "703579");
  // Massachusetts: NNLLNN and NNNLLL both have six places; only NNLLNN agrees with 4, C, V.
  Region ma{"ma", {"MASSACHUSETTS"}, {"NNLLNN", "NNNLLL", "NLLNNN"}};
  EXPECT_EQ(SettleByRegion(ma, "14CVI0"), "14CV10");
  EXPECT_EQ(SettleByRegion(ma, "I4CVIO"), "14CV10");
}

TEST(SettleByRegion, UndecidedPlacesAndVanityPlatesKeepTheReading) {
  // Both formats fit 1?2345 and disagree on the second place: no change there.
  Region two{"xx", {"X"}, {"NLNNNN", "NNNNNN"}};
  EXPECT_EQ(SettleByRegion(two, "1O2345"), "1O2345");
  EXPECT_EQ(SettleByRegion(two, "I02345"), "102345");
  // A vanity plate fitting a letters-and-digit format stays as read (DR1FTER would split it).
  Region id{"id", {"IDAHO"}, {"LLNLLLL"}};
  EXPECT_EQ(SettleByRegion(id, "DRIFTER"), "DRIFTER");
  EXPECT_EQ(SettleByRegion(id, "ABCDEF"), "ABCDEF");  // no format of its length
  EXPECT_EQ(SettleByRegion(Region{"zz", {"Z"}, {}}, "824B0J"), "824B0J");
}

}  // namespace
}  // namespace custodian::vision
