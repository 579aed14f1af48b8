// The watch pipeline (see watch.h): sources on OpenCV's VideoCapture and image files, the
// motion gate, and Run.
#include "custodian/watch/watch.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <system_error>
#include <utility>

namespace custodian::watch {

namespace fs = std::filesystem;

// ---- MotionGate ----

struct MotionGate::State {
  cv::Mat previous;  // small grey copy of the last frame
  cv::Mat mask;      // the region, at the small size (empty: the whole frame)
  int frame_width = 0, frame_height = 0;
};

MotionGate::MotionGate(MotionOptions options) : options_(std::move(options)), state_(std::make_unique<State>()) {}
MotionGate::~MotionGate() = default;

bool MotionGate::Moved(const vision::ImageView& frame) {
  if (frame.data == nullptr || frame.width <= 0 || frame.height <= 0) return false;
  const cv::Mat bgr(frame.height, frame.width, CV_8UC3, const_cast<uint8_t*>(frame.data), size_t(frame.stride));
  const int w = std::max(8, std::min(options_.width, frame.width));
  const double scale = double(w) / frame.width;
  const int h = std::max(8, int(std::lround(frame.height * scale)));
  cv::Mat small, grey;
  cv::resize(bgr, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey, grey, cv::Size(3, 3), 0);
  State& s = *state_;
  if (s.frame_width != frame.width || s.frame_height != frame.height || s.previous.size() != grey.size()) {
    s.frame_width = frame.width;
    s.frame_height = frame.height;
    s.mask.release();
    if (options_.region.size() >= 3) {
      s.mask = cv::Mat::zeros(grey.size(), CV_8U);
      std::vector<cv::Point> poly;
      for (const Vertex& v : options_.region) {
        poly.emplace_back(int(std::lround(v.x * scale)), int(std::lround(v.y * scale)));
      }
      cv::fillPoly(s.mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
    }
    s.previous = grey;
    last_share_ = 1;
    return true;
  }
  cv::Mat diff;
  cv::absdiff(grey, s.previous, diff);
  cv::threshold(diff, diff, options_.pixel_threshold, 255, cv::THRESH_BINARY);
  int area = grey.rows * grey.cols;
  if (!s.mask.empty()) {
    cv::bitwise_and(diff, s.mask, diff);
    area = std::max(1, cv::countNonZero(s.mask));
  }
  last_share_ = double(cv::countNonZero(diff)) / area;
  s.previous = grey;
  return last_share_ >= options_.min_share;
}

// ---- Sources ----

namespace {

vision::Image ImageOf(const cv::Mat& bgr) {
  vision::Image img;
  img.width = bgr.cols;
  img.height = bgr.rows;
  img.pixels.resize(size_t(bgr.cols) * bgr.rows * 3);
  cv::Mat dst(bgr.rows, bgr.cols, CV_8UC3, img.pixels.data());
  bgr.copyTo(dst);
  return img;
}

class VideoSource : public FrameSource {
 public:
  VideoSource(std::unique_ptr<cv::VideoCapture> cap, bool live, const Clock& clock, TimePoint start)
      : cap_(std::move(cap)), live_(live), clock_(clock), start_(start) {
    fps_ = cap_->get(cv::CAP_PROP_FPS);
    if (!(fps_ > 0 && fps_ < 1000)) fps_ = 0;
  }

  Result<std::optional<Frame>> Next() override {
    cv::Mat bgr;
    if (!cap_->read(bgr) || bgr.empty()) {
      if (live_) return Status::Unavailable("the stream stopped sending frames");
      return std::optional<Frame>();
    }
    Frame f;
    f.number = next_++;
    if (live_) {
      f.at = clock_.Now();
    } else {  // a file's frames are timed by their position from the start time
      const double ms = cap_->get(cv::CAP_PROP_POS_MSEC);
      const double at_ms = ms > 0 ? ms : (fps_ > 0 ? 1000.0 * double(f.number) / fps_ : 0);
      f.at = start_ + std::chrono::milliseconds(int64_t(at_ms));
    }
    if (bgr.type() != CV_8UC3) {
      cv::Mat converted;
      if (bgr.channels() == 1) cv::cvtColor(bgr, converted, cv::COLOR_GRAY2BGR);
      else if (bgr.channels() == 4) cv::cvtColor(bgr, converted, cv::COLOR_BGRA2BGR);
      else return Status::InvalidArgument("frame ", f.number, " has an unsupported pixel format");
      bgr = converted;
    }
    f.image = ImageOf(bgr);
    return std::optional<Frame>(std::move(f));
  }
  double fps() const override { return fps_; }

 private:
  std::unique_ptr<cv::VideoCapture> cap_;
  bool live_;
  const Clock& clock_;
  TimePoint start_;
  double fps_ = 0;
  int64_t next_ = 0;
};

class FolderSource : public FrameSource {
 public:
  FolderSource(std::vector<fs::path> files, double fps, TimePoint start)
      : files_(std::move(files)), fps_(fps), start_(start) {}

  Result<std::optional<Frame>> Next() override {
    if (next_ >= files_.size()) return std::optional<Frame>();
    const size_t i = next_++;
    Frame f;
    f.number = int64_t(i);
    f.at = start_ + std::chrono::milliseconds(int64_t(1000.0 * double(i) / fps_));
    auto img = vision::ReadImageFile(files_[i].string(), {});
    if (!img.ok()) return Status(img.status().code(), files_[i].string() + ": " + img.status().message());
    f.image = std::move(*img);
    return std::optional<Frame>(std::move(f));
  }
  double fps() const override { return fps_; }

 private:
  std::vector<fs::path> files_;
  double fps_;
  TimePoint start_;
  size_t next_ = 0;
};

// A file's modification time (the clock's now when it cannot be read).
TimePoint ModifiedAt(const fs::path& p, const Clock& clock) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return clock.Now();
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::file_clock::to_sys(t));
}

bool IsImageFile(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp";
}

}  // namespace

Result<std::unique_ptr<FrameSource>> OpenSource(const std::string& url_or_path, const SourceOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("a source needs a clock");
  const bool live = url_or_path.find("://") != std::string::npos;
  if (!live) {
    std::error_code ec;
    if (!fs::exists(url_or_path, ec)) return Status::NotFound("no such file or folder: ", url_or_path);
    if (fs::is_directory(url_or_path, ec)) {
      if (!(options.folder_fps > 0)) return Status::InvalidArgument("folder_fps must be positive");
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(url_or_path, ec)) {
        if (e.is_regular_file() && IsImageFile(e.path())) files.push_back(e.path());
      }
      if (ec) return Status::Unavailable("cannot list ", url_or_path, ": ", ec.message());
      std::sort(files.begin(), files.end());
      const TimePoint start =
          options.start ? *options.start : (files.empty() ? options.clock->Now() : ModifiedAt(files[0], *options.clock));
      return std::unique_ptr<FrameSource>(std::make_unique<FolderSource>(std::move(files), options.folder_fps, start));
    }
  }
  auto cap = std::make_unique<cv::VideoCapture>();
  try {
    cap->open(url_or_path, cv::CAP_FFMPEG);
    if (!cap->isOpened() && !live) cap->open(url_or_path, cv::CAP_OPENCV_MJPEG);  // OpenCV's own MJPEG reader
  } catch (const cv::Exception& e) {
    return Status::InvalidArgument("cannot open ", url_or_path, " as video: ", e.what());
  }
  if (!cap->isOpened()) return Status::InvalidArgument("cannot open ", url_or_path, " as video");
  const TimePoint start =
      live ? options.clock->Now() : (options.start ? *options.start : ModifiedAt(url_or_path, *options.clock));
  return std::unique_ptr<FrameSource>(std::make_unique<VideoSource>(std::move(cap), live, *options.clock, start));
}

// ---- Run ----

Result<RunSummary> Run(FrameSource& source, vision::Session& session, const RunOptions& options, const PassSink& sink) {
  RunSummary summary;
  MotionGate gate(options.motion);
  int hangover = 0;  // frames still to read after the last motion
  std::optional<TimePoint> last_kept;  // the last frame max_fps let through
  vision::PlateTracker tracker(options.tracker);
  // The frame of each open track's surest sighting so far.
  std::map<int64_t, std::pair<float, vision::Image>> best_frames;
  auto deliver = [&](const std::vector<vision::Pass>& passes) {
    for (const vision::Pass& p : passes) {
      auto it = best_frames.find(p.track_id);
      static const vision::Image no_frame;
      sink(p, it != best_frames.end() ? it->second.second : no_frame);
      ++summary.passes;
      if (!p.still_open && it != best_frames.end()) best_frames.erase(it);
    }
    // Tracks emitted early end silently: their frames go when they do.
    if (best_frames.size() > tracker.open_tracks()) {
      std::erase_if(best_frames, [&](const auto& entry) { return !tracker.IsOpen(entry.first); });
    }
  };
  while (options.max_frames <= 0 || summary.frames < options.max_frames) {
    auto next = source.Next();
    if (!next.ok()) {
      if (next.status().code() == StatusCode::kUnavailable) {
        deliver(tracker.Flush());
        return next.status();
      }
      ++summary.bad_frames;
      ++summary.frames;
      continue;
    }
    if (!next->has_value()) break;
    Frame& f = **next;
    ++summary.frames;
    if (options.max_fps > 0) {
      const auto interval = std::chrono::milliseconds(int64_t(1000.0 / options.max_fps));
      if (last_kept && f.at - *last_kept < interval) {
        ++summary.capped;
        continue;
      }
      last_kept = f.at;
    }
    const vision::ImageView view = vision::View(f.image);
    if (gate.Moved(view)) hangover = options.hangover_frames + 1;
    const bool moved = hangover > 0;
    if (hangover > 0) --hangover;
    if (!moved && !options.every_frame) {
      deliver(tracker.AddStill(f.at));
      continue;
    }
    ++summary.analysed;
    const auto t0 = std::chrono::steady_clock::now();
    auto rec = session.Recognize(view);
    summary.engine_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!rec.ok()) {
      ++summary.bad_frames;
      continue;
    }
    std::vector<vision::Sighting> seen;
    for (vision::PlateRead& r : rec->plates) {
      vision::Sighting s;
      s.at = f.at;
      s.frame = f.number;
      s.box = vision::BoxOf(r);
      s.read = std::move(r);
      seen.push_back(std::move(s));
    }
    std::vector<float> confidences;
    for (const auto& s : seen) confidences.push_back(s.read.confidence);
    std::vector<int64_t> ids;
    auto ended = tracker.Add(f.at, f.image.width, f.image.height, std::move(seen), &ids);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto& slot = best_frames[ids[i]];
      if (slot.second.pixels.empty() || confidences[i] > slot.first) slot = {confidences[i], f.image};
    }
    deliver(ended);
  }
  deliver(tracker.Flush());
  return summary;
}

}  // namespace custodian::watch

// ---- Rendered clips ----

namespace custodian::watch {

Status RenderClip(const ClipSpec& spec) {
  if (spec.width < 16 || spec.height < 16 || !(spec.fps > 0) || spec.frames <= 0) {
    return Status::InvalidArgument("a clip needs a size of at least 16x16, a frame rate and frames");
  }
  const cv::Size size(spec.width, spec.height);
  cv::Mat background(size, CV_8UC3, cv::Scalar(90, 95, 100));
  if (!spec.background.empty()) {
    cv::Mat bg = cv::imread(spec.background);
    if (bg.empty()) return Status::InvalidArgument("cannot read ", spec.background);
    cv::resize(bg, bg, size, 0, 0, cv::INTER_AREA);
    cv::GaussianBlur(bg, background, cv::Size(31, 31), 0);
  }
  std::vector<cv::Mat> scenes;
  for (const ClipPass& p : spec.passes) {
    cv::Mat s = cv::imread(p.scene);
    if (s.empty()) return Status::InvalidArgument("cannot read ", p.scene);
    scenes.push_back(s);
  }
  cv::VideoWriter out(spec.out, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), spec.fps, size);
  if (!out.isOpened()) return Status::InvalidArgument("cannot write ", spec.out);
  cv::RNG rng(12345);
  cv::Mat frame, noise;
  for (int i = 0; i < spec.frames; ++i) {
    background.copyTo(frame);
    for (size_t k = 0; k < spec.passes.size(); ++k) {
      const ClipPass& p = spec.passes[k];
      if (i < p.start || i >= p.start + p.frames) continue;
      const int n = i - p.start;
      const double s = 0.7 + 0.3 * double(n) / double(std::max(1, p.frames - 1));
      cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(p.plate_x, p.plate_y), 0, s);
      m.at<double>(1, 2) += double(p.dy_per_frame) * n;
      cv::Mat moved, mask;
      cv::warpAffine(scenes[k], moved, m, size);
      cv::warpAffine(cv::Mat(scenes[k].size(), CV_8U, cv::Scalar(255)), mask, m, size, cv::INTER_NEAREST);
      moved.copyTo(frame, mask);
    }
    if (spec.noise > 0) {
      noise.create(size, CV_16SC3);
      rng.fill(noise, cv::RNG::UNIFORM, -spec.noise, spec.noise + 1);
      cv::Mat wide;
      frame.convertTo(wide, CV_16SC3);
      wide += noise;
      wide.convertTo(frame, CV_8UC3);
    }
    out.write(frame);
  }
  return Status::Ok();
}

}  // namespace custodian::watch

// ---- A pass as a read ----

namespace custodian::watch {

Result<store::ReadInput> ReadOfPass(const vision::Pass& pass, const vision::Image& best_frame,
                                    const std::string& camera_id, size_t max_candidates) {
  if (pass.voted.text.empty() || pass.sightings.empty()) return Status::InvalidArgument("the pass has no reading");
  if (best_frame.pixels.empty()) return Status::InvalidArgument("the pass has no frame");
  const vision::Sighting& best = pass.sightings[std::min(pass.best, pass.sightings.size() - 1)];
  store::ReadInput r;
  r.event_id = camera_id + "-" + std::to_string(ToUnixMillis(pass.first_seen)) + "-" + std::to_string(pass.track_id);
  r.camera_id = camera_id;
  r.captured_at = best.at;
  r.plate = pass.voted.text;
  r.confidence = pass.voted.confidence;
  for (size_t i = 0; i < pass.voted.candidates.size() && i < max_candidates; ++i) {
    r.candidates.push_back({pass.voted.candidates[i].text, pass.voted.candidates[i].confidence});
  }
  r.country = best.read.country;
  r.region = best.read.region;
  const cv::Mat frame(best_frame.height, best_frame.width, CV_8UC3, const_cast<uint8_t*>(best_frame.pixels.data()));
  const cv::Rect whole(0, 0, frame.cols, frame.rows);
  const cv::Rect box(int(best.box.x), int(best.box.y), std::max(1, int(best.box.width)), std::max(1, int(best.box.height)));
  const cv::Rect in_frame = box & whole;
  if (in_frame.area() > 0) r.box = store::Box{in_frame.x, in_frame.y, in_frame.width, in_frame.height};
  const int margin = std::max(2, box.height / 4);
  const cv::Rect crop = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) & whole;
  const std::vector<int> quality = {cv::IMWRITE_JPEG_QUALITY, 90};
  if (crop.area() > 0 && !cv::imencode(".jpg", frame(crop), r.plate_crop, quality)) {
    return Status::Internal("cannot encode the plate crop");
  }
  if (!cv::imencode(".jpg", frame, r.frame, quality)) return Status::Internal("cannot encode the frame");
  return r;
}

}  // namespace custodian::watch
