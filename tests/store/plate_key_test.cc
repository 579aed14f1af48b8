#include "custodian/store/plate_key.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace custodian::store {
namespace {

TEST(PlateKey, NormalisesToUpperCaseLettersAndDigits) {
  EXPECT_EQ(*NormalisePlate("7ab-c 123"), "7ABC123");
  EXPECT_EQ(*NormalisePlate("AB'%_;--12"), "AB12");
  EXPECT_EQ(*NormalisePlate("M\xc3\x9c" "C 1"), "MC1");  // non-ASCII dropped
}

TEST(PlateKey, RefusesEmptyNulAndOversizedPlates) {
  EXPECT_EQ(NormalisePlate("- -").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalisePlate(std::string("AB\0C", 4)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalisePlate(std::string(33, 'A')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalisePlate(std::string(17, 'A')).status().code(), StatusCode::kInvalidArgument);
}

TEST(PlateKey, SearchTermsRefuseLikeAndGlobMetacharacters) {
  EXPECT_EQ(*NormaliseSearchTerm("7ab*", true), "7AB*");
  EXPECT_EQ(*NormaliseSearchTerm("7a**b?", true), "7A*B?");
  for (const char* t : {"7AB%", "7A_B", "7A[B]", "7A'B", "7A\\B"}) {
    EXPECT_FALSE(NormaliseSearchTerm(t, true).ok()) << t;
  }
  EXPECT_FALSE(NormaliseSearchTerm("7AB*", false).ok());
}

TEST(PlateKey, ConfusionKeyMergesTheDocumentedClasses) {
  EXPECT_EQ(ConfusionKey("0ODQ"), "0000");
  EXPECT_EQ(ConfusionKey("1IL"), "111");
  EXPECT_EQ(ConfusionKey("8B5S2Z6G"), "88552266");
  EXPECT_EQ(ConfusionKey("ACEX79"), "ACEX79");
  EXPECT_EQ(ConfusionKey("BOSIZG"), ConfusionKey("8051Z6"));
}

TEST(PlateKey, OneEditNeighbourhoodHoldsSubstitutionsInsertionsAndDeletions) {
  auto keys = ConfusionKeysWithinOneEdit("7A8");
  auto has = [&](const std::string& k) { return std::binary_search(keys.begin(), keys.end(), k); };
  EXPECT_TRUE(has("7A8"));
  EXPECT_TRUE(has("7X8"));
  EXPECT_TRUE(has("78"));
  EXPECT_TRUE(has("7A8C"));
  EXPECT_FALSE(has("7XX"));
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(PlateKey, TrigramsAreTheDistinctThreeCharacterRuns) {
  EXPECT_EQ(Trigrams("7ABC123"), (std::set<std::string>{"7AB", "ABC", "BC1", "C12", "123"}));
  EXPECT_EQ(Trigrams("1QK0000"), (std::set<std::string>{"1QK", "QK0", "K00", "000"}));  // "000" twice, kept once
  EXPECT_TRUE(Trigrams("AB").empty());
}

TEST(PlateKey, PrefixEndBoundsEveryPlateWithThePrefix) {
  EXPECT_LT(std::string("7ABZZZZ"), PrefixEnd("7AB"));
  EXPECT_GT(std::string("7AC"), PrefixEnd("7AB"));
  EXPECT_EQ(Reversed("ABC"), "CBA");
}

}  // namespace
}  // namespace custodian::store
