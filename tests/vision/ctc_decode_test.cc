#include "ctc_decode.h"

#include <gtest/gtest.h>

#include <array>

namespace custodian::vision {
namespace {

constexpr std::string_view kCharset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr int kClasses = 37;

int Class(char c) { return int(kCharset.find(c)) + 1; }

// Builds probabilities where timestep t has `primary[t]` at p and, optionally, a runner-up.
std::vector<float> Probs(const std::vector<std::pair<int, float>>& primary, const std::vector<std::pair<int, float>>& second) {
  const int steps = int(primary.size());
  std::vector<float> probs(size_t(kClasses * steps), 0.f);
  for (int t = 0; t < steps; ++t) {
    float rest = 1.f - primary[size_t(t)].second - second[size_t(t)].second;
    probs[size_t(primary[size_t(t)].first * steps + t)] += primary[size_t(t)].second;
    probs[size_t(second[size_t(t)].first * steps + t)] += second[size_t(t)].second;
    probs[size_t(0 * steps + t)] += rest;  // the remainder goes to blank
  }
  return probs;
}

TEST(CtcDecode, CollapsesRepeatsAndDropsBlanks) {
  // A A _ B _ B  ->  "ABB"
  auto probs = Probs({{Class('A'), .9f}, {Class('A'), .8f}, {0, .9f}, {Class('B'), .9f}, {0, .9f}, {Class('B'), .7f}},
                     {{Class('4'), .05f}, {Class('4'), .1f}, {Class('1'), .05f}, {Class('8'), .05f}, {Class('1'), .05f}, {Class('8'), .2f}});
  auto slots = DecodeGreedy(probs.data(), kClasses, 6, kCharset, 3);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].options[0].first, 'A');
  EXPECT_FLOAT_EQ(slots[0].options[0].second, .9f);  // the run's peak
  EXPECT_EQ(slots[0].options[1].first, '4');
  EXPECT_EQ(slots[2].options[0].first, 'B');
  EXPECT_EQ(slots[2].options[1].first, '8');
}

TEST(CtcDecode, BestPathTextOfTimeMajorProbabilities) {
  // t0 I, t1 I, t2 blank, t3 N, t4 N, t5 blank, t6 N: "INN" (a blank separates the two Ns).
  const std::vector<int> best = {Class('I'), Class('I'), 0, Class('N'), Class('N'), 0, Class('N')};
  std::vector<float> probs(best.size() * kClasses, 0.01f);
  for (size_t t = 0; t < best.size(); ++t) probs[t * kClasses + size_t(best[t])] = 0.6f;
  EXPECT_EQ(BestPathText(probs.data(), kClasses, int(best.size()), kCharset), "INN");
  EXPECT_EQ(BestPathText(probs.data(), kClasses, 0, kCharset), "");
}

TEST(CtcDecode, BestReadingsAreOrderedByProbability) {
  std::vector<CharSlot> slots = {{{{'A', .9f}, {'4', .1f}}}, {{{'B', .6f}, {'8', .4f}}}};
  auto r = BestReadings(slots, 3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "AB");
  EXPECT_NEAR(r[0].score, .54f, 1e-6);
  EXPECT_EQ(r[1].text, "A8");
  EXPECT_EQ(r[2].text, "4B");
  EXPECT_EQ(r[1].char_probs, (std::vector<float>{.9f, .4f}));
}

TEST(CtcDecode, NoSlotsGiveNoReadings) {
  EXPECT_TRUE(BestReadings({}, 5).empty());
}

// Time-major probabilities over the classes blank, A, B only (the rest of the charset 0).
std::vector<float> TimeMajor(const std::vector<std::array<float, 3>>& rows) {
  std::vector<float> p(rows.size() * kClasses, 0.f);
  for (size_t t = 0; t < rows.size(); ++t) {
    p[t * kClasses + 0] = rows[t][0];
    p[t * kClasses + size_t(Class('A'))] = rows[t][1];
    p[t * kClasses + size_t(Class('B'))] = rows[t][2];
  }
  return p;
}

TEST(CtcDecode, TextProbabilitySumsEveryAlignment) {
  // Two steps: "A" is emitted by AA, A_, _A: .6*.3 + .6*.3 + .2*.3 ... computed by hand.
  auto p = TimeMajor({{.2f, .6f, .2f}, {.3f, .3f, .4f}});
  const double a = .6 * .3 /*AA*/ + .6 * .3 /*A_*/ + .2 * .3 /*_A*/;
  EXPECT_NEAR(CtcTextProbability(p.data(), kClasses, 2, kCharset, "A"), a, 1e-6);
  EXPECT_NEAR(CtcTextProbability(p.data(), kClasses, 2, kCharset, "AB"), .6 * .4, 1e-6);
  EXPECT_NEAR(CtcTextProbability(p.data(), kClasses, 2, kCharset, "BA"), .2 * .3, 1e-6);
  // Every text of length <= 2 over {A, B} plus the empty reading (_ _) adds up to 1.
  double total = .2 * .3;
  for (const char* t : {"A", "B", "AB", "BA", "AA", "BB"}) total += CtcTextProbability(p.data(), kClasses, 2, kCharset, t);
  EXPECT_NEAR(total, 1.0, 1e-6);
}

TEST(CtcDecode, RepeatedCharacterNeedsABlankBetween) {
  // A doubled letter cannot come from two steps (A A collapses to one A): it needs A _ A.
  auto two = TimeMajor({{0.f, 1.f, 0.f}, {0.f, 1.f, 0.f}});
  EXPECT_EQ(CtcTextProbability(two.data(), kClasses, 2, kCharset, "AA"), 0.0);
  EXPECT_NEAR(CtcTextProbability(two.data(), kClasses, 2, kCharset, "A"), 1.0, 1e-6);
  auto three = TimeMajor({{0.f, 1.f, 0.f}, {1.f, 0.f, 0.f}, {0.f, 1.f, 0.f}});
  EXPECT_NEAR(CtcTextProbability(three.data(), kClasses, 3, kCharset, "AA"), 1.0, 1e-6);
}

TEST(CtcDecode, TextProbabilityOfImpossibleTextsIsZero) {
  auto p = TimeMajor({{.2f, .6f, .2f}, {.3f, .3f, .4f}});
  EXPECT_EQ(CtcTextProbability(p.data(), kClasses, 2, kCharset, ""), 0.0);
  EXPECT_EQ(CtcTextProbability(p.data(), kClasses, 2, kCharset, "ABA"), 0.0);  // longer than the steps allow
  EXPECT_EQ(CtcTextProbability(p.data(), kClasses, 2, kCharset, "a"), 0.0);    // not in the charset
  EXPECT_EQ(CtcTextProbability(p.data(), kClasses, 2, kCharset, "-"), 0.0);
}

TEST(CtcDecode, SoftmaxNormalisesEachTimestep) {
  std::vector<float> logits = {1, 2, 3, 4, 5, 6};  // 3 classes x 2 steps
  SoftmaxOverClasses(logits.data(), 3, 2);
  EXPECT_NEAR(logits[0] + logits[2] + logits[4], 1.f, 1e-6);
  EXPECT_NEAR(logits[1] + logits[3] + logits[5], 1.f, 1e-6);
  EXPECT_GT(logits[4], logits[2]);
}

}  // namespace
}  // namespace custodian::vision
