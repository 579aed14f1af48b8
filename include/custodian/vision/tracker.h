// Following plates across the frames of one camera, and voting one read per pass.
//
// The engine reads one frame at a time, and its misreads are usually one character in one
// frame. A vehicle crossing a camera's view is seen in many frames; PlateTracker groups the
// sightings of one plate into a track (box overlap after motion, then text similarity) and
// ends the track when the plate has not been seen for a while. VotePlate then reads the
// pass as a whole: characters voted across frames, each frame's candidates weighted by
// their confidence, preferring readings that fit the country's plate formats.
//
// Basic usage:
//   vision::PlateTracker tracker({.end_after = std::chrono::seconds(2)});
//   for (each frame at time t) {
//     std::vector<vision::Sighting> seen = ...;  // from Session::Recognize
//     for (vision::Pass& p : tracker.Add(t, frame_width, frame_height, std::move(seen))) Deliver(p);
//   }
//   for (vision::Pass& p : tracker.Flush()) Deliver(p);  // end of a file
//
// Time is the frames' own (capture time), never the wall clock: the tracker is
// deterministic for a given sequence of frames.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/vision/engine.h"

namespace custodian::vision {

// An axis-aligned box in frame pixels.
struct Box {
  float x = 0, y = 0, width = 0, height = 0;
  float cx() const { return x + width / 2; }
  float cy() const { return y + height / 2; }
};

// Levenshtein distance: the fewest single-character insertions, deletions and substitutions
// that turn `a` into `b`.
int EditDistance(std::string_view a, std::string_view b);

// The smallest box that holds the plate's four corners.
Box BoxOf(const PlateRead& read);
// Intersection over union, 0..1 (0 when either box is empty).
float Overlap(const Box& a, const Box& b);

// One plate in one frame.
struct Sighting {
  TimePoint at;
  int64_t frame = 0;  // the frame's number in its source
  Box box;
  PlateRead read;
};

// Which way a plate crossed the frame: the larger of its horizontal and vertical
// displacement from first to last sighting, or kNone when it moved less than
// TrackerOptions::min_travel (a parked vehicle).
enum class Direction { kNone, kUp, kDown, kLeft, kRight };
std::string_view DirectionName(Direction d);  // "", "up", "down", "left", "right"

// One pass voted into one read (VotePlate).
struct VotedPlate {
  std::string text;                   // "" when no frame had a reading
  float confidence = 0;               // 0..1: the winning reading's share of the votes
  std::vector<Candidate> candidates;  // best first; candidates[0].text == text
  int frames = 0;                     // frames whose readings voted
};

// A plate's track, ended (or emitted early, see TrackerOptions::emit_after).
struct Pass {
  int64_t track_id = 0;             // per tracker, from 1
  std::vector<Sighting> sightings;  // in time order
  TimePoint first_seen;
  TimePoint last_seen;
  Direction direction = Direction::kNone;
  size_t best = 0;  // the sighting whose crop and frame represent the pass
  VotedPlate voted;
  bool still_open = false;  // emitted by emit_after: the track goes on, and ends silently
};

struct TrackerOptions {
  // A track ends when its plate has not been seen for this long (frames the motion gate
  // skipped as still do not count, see AddStill). Default: 1.5 s.
  std::chrono::milliseconds end_after{1500};
  // A track open this long after its first sighting is emitted at once (a parked vehicle gives one read, soon,
  // not one at the end of the day); it goes on, and its end emits nothing more. Default: 10 s.
  std::chrono::milliseconds emit_after{10'000};
  // A sighting continues a track when its box overlaps the track's box, moved on by the
  // track's speed, by at least this much (intersection over union). Default: 0.05.
  float min_overlap = 0.05f;
  // Or, failing the overlap, when its reading is within max_text_edits of the track's and
  // its centre is within this many plate widths of where the track was expected. Default: 3.
  float max_jump_widths = 3.f;
  int max_text_edits = 2;  // Default: 2.
  // An overlapping sighting does not continue a track when both its reading and the
  // track's last one are at least this sure and differ by more than max_text_edits (the
  // next vehicle of a queue, stopped where the last one stood). Default: 0.5.
  float distinct_when_sure = 0.5f;
  // Tracks seen in fewer frames are dropped as noise (a sign read once). Default: 1.
  int min_frames = 1;
  // Less travel than this share of the frame's larger side is no direction. Default: 0.05.
  float min_travel = 0.05f;
  // VotePlate's format check (see VotePlate); empty means none.
  std::function<bool(const std::string&)> fits_format;
};

// Votes the sightings' readings into one. Each frame gives its candidates (best first,
// confidence 0..1) as votes of their confidence. The length with most votes wins; then
// each position takes the character with most votes among that length's candidates. The
// voted text and the candidates with most votes are the answer's candidates; when
// `fits_format` is given, a voted text that does not fit is passed over for the best
// candidate that does (when one has votes). Confidence: the winner's share of all votes.
VotedPlate VotePlate(const std::vector<Sighting>& sightings,
                     const std::function<bool(const std::string&)>& fits_format = {});

// Not thread-safe: one per camera.
class PlateTracker {
 public:
  explicit PlateTracker(TrackerOptions options = {});

  // The sightings of one frame at time `at` (non-decreasing; an earlier time is taken as
  // `at` of the previous frame) of `width` x `height` pixels. Returns the passes that
  // ended by `at` (and the tracks that reached emit_after), oldest first. When `track_ids`
  // is given it receives the track each sighting joined (or began), in their order.
  std::vector<Pass> Add(TimePoint at, int width, int height, std::vector<Sighting> sightings,
                        std::vector<int64_t>* track_ids = nullptr);
  // A frame the motion gate skipped because nothing moved: the open tracks' plates are
  // taken to be where they were (a parked vehicle is not a new pass when it is detected
  // again after a still hour).
  std::vector<Pass> AddStill(TimePoint at);
  // Ends every open track (end of a file, shutdown) and returns their passes.
  std::vector<Pass> Flush();

  size_t open_tracks() const { return tracks_.size(); }
  // Whether track `id` is still open (a track emitted by emit_after ends silently).
  bool IsOpen(int64_t id) const;

 private:
  struct Track {
    int64_t id = 0;
    std::vector<Sighting> sightings;
    TimePoint alive_until;  // last seen (or last still frame) + end_after
    bool emitted = false;
  };
  Pass PassOf(const Track& t, bool still_open) const;
  std::vector<Pass> EndTracksBefore(TimePoint at);
  bool Continues(const Track& t, const Sighting& s, float* score) const;

  TrackerOptions options_;
  std::vector<Track> tracks_;
  int64_t next_id_ = 1;
  TimePoint now_{};
  float frame_side_ = 0;  // the larger side of the last frame
};

}  // namespace custodian::vision
