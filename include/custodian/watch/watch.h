// custodian watch's pipeline: frames from a source (a video file or stream, a folder of
// images), a cheap motion gate, the engine where something moves, the plate tracker, and
// one voted read per pass (vision/tracker.h).
//
// Basic usage:
//   auto source = watch::OpenSource("clip.mp4", {.clock = &clock});
//   auto session = engine->NewSession();
//   auto summary = watch::Run(**source, **session, {.tracker = {...}},
//                             [](const vision::Pass& p, const vision::Image& best_frame) { ... });
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/types.h"
#include "custodian/vision/engine.h"
#include "custodian/vision/image.h"
#include "custodian/vision/tracker.h"

namespace custodian::watch {

// A point of a region of interest, in frame pixels.
struct Vertex {
  float x = 0, y = 0;
};

struct MotionOptions {
  // Frames are compared as grey copies this wide. Default: 160.
  int width = 160;
  // A pixel whose grey level changed by more than this moved. Default: 20.
  int pixel_threshold = 20;
  // Something moves when at least this share of the region's pixels moved. Default: 0.002.
  double min_share = 0.002;
  // The region watched (a polygon in frame pixels); empty means the whole frame.
  std::vector<Vertex> region;
};

// Frame differencing on a small grey copy inside the region of interest. Not thread-safe.
class MotionGate {
 public:
  explicit MotionGate(MotionOptions options = {});
  ~MotionGate();
  // Whether something moved since the previous frame (the first frame always moved).
  bool Moved(const vision::ImageView& frame);
  // The share of the region's pixels that moved in the last frame, 0..1.
  double last_share() const { return last_share_; }

 private:
  struct State;
  MotionOptions options_;
  std::unique_ptr<State> state_;
  double last_share_ = 1;
};

struct Frame {
  vision::Image image;  // BGR
  TimePoint at;         // capture time
  int64_t number = 0;   // from 0
};

// A source of frames. Not thread-safe.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The next frame; nullopt at the end of a file or folder. An error for a frame that
  // cannot be decoded (the source goes on with the next one) or a stream that failed.
  virtual Result<std::optional<Frame>> Next() = 0;
  // Frames per second the source declares (0 when unknown).
  virtual double fps() const = 0;
};

struct SourceOptions {
  // Where capture times come from for a live stream. REQUIRED.
  const Clock* clock = nullptr;
  // The capture time of a file's or folder's first frame; the others are timed by their
  // position from it. Default: the file's (the folder's first image's) modification time,
  // so that a file read again gives the same times, and its passes the same event ids (a
  // restart after a kill duplicates nothing at the destination).
  std::optional<TimePoint> start;
  // A folder of images is read at this rate (their names in order). Default: 25.
  double folder_fps = 25;
};

// A video file or stream URL (rtsp://, http://; OpenCV's FFmpeg backend), or a folder of
// images read in name order. kNotFound for a path that does not exist, kInvalidArgument
// for one that cannot be opened as video.
Result<std::unique_ptr<FrameSource>> OpenSource(const std::string& url_or_path, const SourceOptions& options);

struct RunOptions {
  vision::TrackerOptions tracker;
  MotionOptions motion;
  // Run the engine on every frame (the motion gate off). Default: false.
  bool every_frame = false;
  // After a frame where something moved, the engine also reads this many frames more (a
  // vehicle that slows down or stops is still followed; then still frames keep its track
  // open without the engine). Default: 10.
  int hangover_frames = 10;
  // Stop after this many frames (0: no limit). Default: 0.
  int64_t max_frames = 0;
  // Frames read per second at the most, by their capture times (0: every frame). Default: 0.
  double max_fps = 0;
};

struct RunSummary {
  int64_t frames = 0;       // read from the source
  int64_t analysed = 0;     // given to the engine (moved, or every_frame)
  int64_t bad_frames = 0;   // that could not be decoded (skipped)
  int64_t capped = 0;       // skipped by max_fps
  int64_t passes = 0;       // delivered
  double engine_ms = 0;     // spent in the engine
};

// Called once per pass with the frame of its best sighting.
using PassSink = std::function<void(const vision::Pass& pass, const vision::Image& best_frame)>;

// The read a pass gives, for the outbox: event id "<camera>-<first seen, Unix ms>-<track>",
// captured at its best sighting, the voted plate, confidence and candidates (at most
// `max_candidates`), that sighting's box, country and region, and as images the plate
// crop (the box with a margin of a quarter of its height) and the whole frame, JPEG.
// kInvalidArgument for a pass with no reading or no frame.
Result<store::ReadInput> ReadOfPass(const vision::Pass& pass, const vision::Image& best_frame,
                                    const std::string& camera_id, size_t max_candidates = 10);

// ---- Rendered clips (test material and benchmarks) ----

// One vehicle in a rendered clip: the scene image (a photo with a plate), scaled about its
// plate from 0.7 to 1.0 (approaching) while it moves `dy_per_frame` pixels down a frame.
struct ClipPass {
  std::string scene;          // an image file
  float plate_x = 0, plate_y = 0;  // the plate's centre in the scene image
  int start = 0;              // first frame
  int frames = 30;            // frames in view
  float dy_per_frame = 3;
};

struct ClipSpec {
  std::string out;  // the file to write: .avi (MJPEG). REQUIRED.
  int width = 1280, height = 720;
  double fps = 25;
  int frames = 250;
  // The still background: this image blurred and fitted to the frame, or mid grey when "".
  std::string background;
  // Sensor noise: each pixel moves by up to this much a frame. Default: 2.
  int noise = 2;
  std::vector<ClipPass> passes;
};

// Writes the clip. kInvalidArgument for a scene that cannot be read or a file that cannot
// be written.
Status RenderClip(const ClipSpec& spec);

// Reads `source` to its end (or max_frames) and delivers each pass to `sink`, the open
// ones at the end. A frame the engine refuses is counted and skipped; an error is returned
// only when the source itself fails.
Result<RunSummary> Run(FrameSource& source, vision::Session& session, const RunOptions& options, const PassSink& sink);

}  // namespace custodian::watch
