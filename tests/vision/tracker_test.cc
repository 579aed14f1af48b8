// PlateTracker and VotePlate on made-up sightings: one pass per vehicle, parked vehicles
// once, a returning vehicle again, two vehicles side by side apart, and a one-character
// misread in some frames voted away.
#include "custodian/vision/tracker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace custodian::vision {
namespace {

using std::chrono::milliseconds;

const TimePoint kT0 = FromUnixMillis(1'767'225'600'000);
constexpr int kW = 1280, kH = 720;

TimePoint Frame(int n, int fps = 25) { return kT0 + milliseconds(n * 1000 / fps); }

// A plate of 120 x 40 pixels at (x, y), read as `text` (with its alternatives).
Sighting At(float x, float y, const std::string& text, float confidence = 0.9f,
            std::vector<Candidate> others = {}) {
  Sighting s;
  s.read.text = text;
  s.read.confidence = confidence;
  s.read.candidates.push_back({text, confidence, true});
  for (auto& c : others) s.read.candidates.push_back(c);
  s.read.corners = {Point{x, y}, Point{x + 120, y}, Point{x + 120, y + 40}, Point{x, y + 40}};
  s.box = BoxOf(s.read);
  return s;
}

std::vector<Pass> Collect(std::vector<Pass>& into, std::vector<Pass> more) {
  for (auto& p : more) into.push_back(std::move(p));
  return {};
}

TEST(Overlap, IsIntersectionOverUnion) {
  EXPECT_FLOAT_EQ(Overlap({0, 0, 10, 10}, {0, 0, 10, 10}), 1.f);
  EXPECT_FLOAT_EQ(Overlap({0, 0, 10, 10}, {5, 0, 10, 10}), 50.f / 150.f);
  EXPECT_FLOAT_EQ(Overlap({0, 0, 10, 10}, {20, 20, 10, 10}), 0.f);
  EXPECT_FLOAT_EQ(Overlap({0, 0, 0, 10}, {0, 0, 10, 10}), 0.f);
}

TEST(PlateTracker, AVehicleCrossingTheFrameIsOnePassWithItsTimesFramesAndDirection) {
  PlateTracker tracker({.end_after = milliseconds(500)});
  std::vector<Pass> passes;
  for (int n = 0; n < 20; ++n) {  // down the frame, 20 px a frame
    Collect(passes, tracker.Add(Frame(n), kW, kH, {At(600, 100 + 20.f * n, "7ABC123")}));
  }
  EXPECT_TRUE(passes.empty()) << "a pass ends only when its plate has gone";
  for (int n = 20; n < 40; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {}));
  ASSERT_EQ(passes.size(), 1u);
  const Pass& p = passes[0];
  EXPECT_EQ(p.voted.text, "7ABC123");
  EXPECT_EQ(p.voted.frames, 20);
  EXPECT_EQ(p.sightings.size(), 20u);
  EXPECT_EQ(p.first_seen, Frame(0));
  EXPECT_EQ(p.last_seen, Frame(19));
  EXPECT_EQ(p.direction, Direction::kDown);
  EXPECT_FALSE(p.still_open);
  EXPECT_EQ(tracker.open_tracks(), 0u);
}

TEST(PlateTracker, DirectionFollowsTheLargerDisplacementAndAParkedPlateHasNone) {
  PlateTracker tracker({.end_after = milliseconds(200)});
  std::vector<Pass> passes;
  for (int n = 0; n < 10; ++n) {
    Collect(passes, tracker.Add(Frame(n), kW, kH, {At(1000 - 40.f * n, 300 + 2.f * n, "LEFT1"), At(100, 600, "STILL1")}));
  }
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 2u);
  for (const Pass& p : passes) {
    if (p.voted.text == "LEFT1") EXPECT_EQ(p.direction, Direction::kLeft);
    if (p.voted.text == "STILL1") EXPECT_EQ(p.direction, Direction::kNone);
  }
}

TEST(PlateTracker, TwoVehiclesSideBySideAreTwoPasses) {
  PlateTracker tracker({.end_after = milliseconds(300)});
  std::vector<Pass> passes;
  for (int n = 0; n < 15; ++n) {
    Collect(passes, tracker.Add(Frame(n), kW, kH, {At(200, 100 + 25.f * n, "4AAA111"), At(800, 120 + 25.f * n, "5BBB222")}));
  }
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_NE(passes[0].voted.text, passes[1].voted.text);
  for (const Pass& p : passes) EXPECT_EQ(p.sightings.size(), 15u) << p.voted.text;
}

TEST(PlateTracker, AFastPlateThatNoLongerOverlapsIsFollowedByItsSpeedAndText) {
  // 150 px a frame: consecutive boxes (120 px wide) never overlap.
  PlateTracker tracker({.end_after = milliseconds(300)});
  std::vector<Pass> passes;
  for (int n = 0; n < 8; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(50 + 150.f * n, 300, "8FAST88")}));
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].sightings.size(), 8u);
  EXPECT_EQ(passes[0].direction, Direction::kRight);
}

TEST(PlateTracker, AShortGapDoesNotSplitAPassButALongAbsenceDoes) {
  PlateTracker tracker({.end_after = milliseconds(1000)});
  std::vector<Pass> passes;
  for (int n = 0; n < 5; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(600, 300, "6GAP666")}));
  for (int n = 5; n < 15; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {}));  // 0.4 s occluded
  for (int n = 15; n < 20; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(600, 300, "6GAP666")}));
  EXPECT_TRUE(passes.empty());
  // Gone for a minute, then back: a vehicle that returns is a new pass.
  Collect(passes, tracker.Add(Frame(20) + std::chrono::minutes(1), kW, kH, {At(600, 300, "6GAP666")}));
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].sightings.size(), 10u);
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_EQ(passes[1].sightings.size(), 1u);
  EXPECT_NE(passes[0].track_id, passes[1].track_id);
}

TEST(PlateTracker, AParkedVehicleIsOneReadSoonAndNotAnotherWhenSeenAgainAfterStillFrames) {
  PlateTracker tracker({.end_after = milliseconds(1000), .emit_after = std::chrono::seconds(10)});
  std::vector<Pass> passes;
  int n = 0;
  for (; n < 25 * 12; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(300, 500, "3PRK333")}));
  ASSERT_EQ(passes.size(), 1u) << "emitted once it had been in view 10 s";
  EXPECT_TRUE(passes[0].still_open);
  EXPECT_EQ(passes[0].voted.text, "3PRK333");
  // An hour of still frames (the motion gate skips the detector), then detected again.
  for (int m = 0; m < 60 * 60; ++m) Collect(passes, tracker.AddStill(Frame(n) + std::chrono::seconds(m)));
  const TimePoint later = Frame(n) + std::chrono::hours(1);
  for (int m = 0; m < 25; ++m) Collect(passes, tracker.Add(later + milliseconds(40 * m), kW, kH, {At(300, 500, "3PRK333")}));
  Collect(passes, tracker.Flush());
  EXPECT_EQ(passes.size(), 1u) << "the parked vehicle gives one read in all";
}

TEST(PlateTracker, TheNextVehicleOfAQueueWhereTheLastOneStoodIsAnotherPass) {
  PlateTracker tracker({.end_after = milliseconds(1000)});
  std::vector<Pass> passes;
  for (int n = 0; n < 5; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(600, 300, "4QUE444")}));
  for (int n = 5; n < 10; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(600, 300, "9NXT999")}));
  // An unsure misreading in place stays with the pass.
  Collect(passes, tracker.Add(Frame(10), kW, kH, {At(600, 300, "8MXT989", 0.3f)}));
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_EQ(passes[0].voted.text, "4QUE444");
  EXPECT_EQ(passes[0].sightings.size(), 5u);
  EXPECT_EQ(passes[1].voted.text, "9NXT999");
  EXPECT_EQ(passes[1].sightings.size(), 6u);
}

TEST(PlateTracker, SaysWhichTracksAreOpenAndAnEmittedTrackEndsSilently) {
  PlateTracker tracker({.end_after = milliseconds(200), .emit_after = milliseconds(400)});
  std::vector<int64_t> ids;
  std::vector<Pass> passes;
  for (int n = 0; n < 12; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(300, 300, "5OPN555")}, &ids));
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_TRUE(passes[0].still_open);
  EXPECT_TRUE(tracker.IsOpen(ids[0]));
  Collect(passes, tracker.Add(Frame(40), kW, kH, {}));
  EXPECT_EQ(passes.size(), 1u) << "its end emits nothing more";
  EXPECT_FALSE(tracker.IsOpen(ids[0]));
  EXPECT_EQ(tracker.open_tracks(), 0u);
}

TEST(PlateTracker, DropsTracksSeenInFewerFramesThanMinFrames) {
  PlateTracker tracker({.end_after = milliseconds(100), .min_frames = 3});
  std::vector<Pass> passes;
  Collect(passes, tracker.Add(Frame(0), kW, kH, {At(100, 100, "SIGN1"), At(700, 100, "7REAL77")}));
  for (int n = 1; n < 5; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(700, 100 + 10.f * n, "7REAL77")}));
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].voted.text, "7REAL77");
}

TEST(PlateTracker, TellsWhichTrackEachSightingJoined) {
  PlateTracker tracker;
  std::vector<int64_t> ids;
  tracker.Add(Frame(0), kW, kH, {At(100, 100, "1AAA111"), At(800, 100, "2BBB222")}, &ids);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
  const std::vector<int64_t> first = ids;
  tracker.Add(Frame(1), kW, kH, {At(805, 110, "2BBB222"), At(105, 110, "1AAA111")}, &ids);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], first[1]);
  EXPECT_EQ(ids[1], first[0]);
}

TEST(PlateTracker, TheBestCropIsTheSurestReading) {
  PlateTracker tracker;
  std::vector<Pass> passes;
  const float conf[] = {0.5f, 0.7f, 0.95f, 0.6f};
  for (int n = 0; n < 4; ++n) Collect(passes, tracker.Add(Frame(n), kW, kH, {At(600, 200 + 10.f * n, "1BST111", conf[n])}));
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].best, 2u);
}

TEST(PlateTracker, TimeNeverRunsBackwards) {
  PlateTracker tracker({.end_after = milliseconds(100)});
  std::vector<Pass> passes;
  Collect(passes, tracker.Add(Frame(10), kW, kH, {At(600, 300, "9TIME99")}));
  Collect(passes, tracker.Add(Frame(5), kW, kH, {At(600, 300, "9TIME99")}));  // an out-of-order frame
  Collect(passes, tracker.Flush());
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].first_seen, Frame(10));
  EXPECT_EQ(passes[0].last_seen, Frame(10));
}

// ---- VotePlate ----

std::vector<Sighting> Frames(const std::vector<std::vector<Candidate>>& per_frame) {
  std::vector<Sighting> out;
  for (const auto& cands : per_frame) {
    Sighting s;
    s.read.candidates = cands;
    if (!cands.empty()) {
      s.read.text = cands[0].text;
      s.read.confidence = cands[0].confidence;
    }
    out.push_back(s);
  }
  return out;
}

TEST(VotePlate, AOneCharacterMisreadInSomeFramesIsVotedAway) {
  // W read as N in two of five frames (the commonest error of wide letters).
  auto v = VotePlate(Frames({{{"8WXY123", 0.8f}},
                             {{"8NXY123", 0.7f}, {"8WXY123", 0.2f}},
                             {{"8WXY123", 0.9f}},
                             {{"8NXY123", 0.6f}},
                             {{"8WXY123", 0.7f}}}));
  EXPECT_EQ(v.text, "8WXY123");
  EXPECT_EQ(v.frames, 5);
  ASSERT_GE(v.candidates.size(), 2u);
  EXPECT_EQ(v.candidates[1].text, "8NXY123");
  EXPECT_GT(v.confidence, v.candidates[1].confidence);
}

TEST(VotePlate, CharactersAreVotedAcrossFramesEvenWhenNoFrameReadTheWholePlate) {
  // Each frame gets one (different) character wrong; by position the truth wins.
  auto v = VotePlate(Frames({{{"XBC123", 0.6f}}, {{"AXC123", 0.6f}}, {{"ABX123", 0.6f}}, {{"ABC12X", 0.6f}}}));
  EXPECT_EQ(v.text, "ABC123");
}

TEST(VotePlate, TheLengthWithMostVotesWinsSoAReadingThatRanOnIsOutvoted) {
  auto v = VotePlate(Frames({{{"5VCF203", 0.8f}}, {{"5VCF20377", 0.9f}}, {{"5VCF203", 0.7f}}}));
  EXPECT_EQ(v.text, "5VCF203");
}

TEST(VotePlate, ASureFrameOutweighsSeveralUnsureOnes) {
  auto v = VotePlate(Frames({{{"7ABC123", 0.99f}}, {{"7ABC128", 0.2f}}, {{"7ABC128", 0.2f}}, {{"7ABC128", 0.2f}}}));
  EXPECT_EQ(v.text, "7ABC123");
}

TEST(VotePlate, AVotedTextThatFitsNoFormatGivesWayToTheBestThatDoes) {
  auto fits = [](const std::string& t) { return t.size() == 7 && std::isdigit(static_cast<unsigned char>(t[0])); };
  auto v = VotePlate(Frames({{{"B7ABC12", 0.9f}, {"7ABC123", 0.5f}}, {{"B7ABC12", 0.8f}, {"7ABC123", 0.6f}}}), fits);
  EXPECT_EQ(v.text, "7ABC123");
  EXPECT_TRUE(v.candidates[0].matches_format);
  // Without a format check the votes decide alone.
  EXPECT_EQ(VotePlate(Frames({{{"B7ABC12", 0.9f}, {"7ABC123", 0.5f}}, {{"B7ABC12", 0.8f}, {"7ABC123", 0.6f}}})).text,
            "B7ABC12");
}

TEST(VotePlate, NoReadingsGiveAnEmptyAnswerNotAGuess) {
  auto v = VotePlate(Frames({{}, {}}));
  EXPECT_EQ(v.text, "");
  EXPECT_EQ(v.frames, 0);
  EXPECT_TRUE(v.candidates.empty());
  EXPECT_EQ(VotePlate({}).text, "");
}

}  // namespace
}  // namespace custodian::vision
