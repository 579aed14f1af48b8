#include "custodian/vision/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "ctc_decode.h"

namespace custodian::vision {
namespace {

// Model contract (training/common.py).
constexpr std::string_view kCharset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr int kOcrH = 48;
constexpr int kOcrW = 160;
constexpr int kDetStride = 4;
constexpr int kOptionsPerChar = 3;
// The second look's window (width x height), a multiple of 32.
constexpr int kFineW = 256;
constexpr int kFineH = 128;
// The crops the recognizer reads of each plate: context added to each side, as a fraction
// of the plate's width and height. The first is the mean of training's crop jitter
// (training/train_ocr.py warp_box); the others are a looser and a tighter look, whose
// readings vote with the first when EngineOptions::ocr_views asks for them.
constexpr float kViews[][2] = {{0.045f, 0.09f}, {0.045f, 0.22f}, {0.0f, 0.02f}};
// The second-opinion recognizer's contract (training/export_text_rec.py): BGR,
// (pixel - 127.5) / 127.5, the plate kTextH high from the left edge of a kTextW-wide input
// (the rest 0), output [kTextW / 8, 37] probabilities in the recognizer's class order.
constexpr int kTextH = 48;
constexpr int kTextW = 160;

// A quad's width and height: the means of its opposite sides (TL, TR, BR, BL order).
cv::Size2f QuadSize(const std::array<cv::Point2f, 4>& p) {
  return {float(cv::norm((p[1] - p[0]) + (p[2] - p[3]))) / 2, float(cv::norm((p[3] - p[0]) + (p[2] - p[1]))) / 2};
}

// A reading's probability per character: the geometric mean of its characters'.
float PerCharProbability(const RawCandidate& c) {
  return std::pow(std::max(c.score, 1e-12f), 1.0f / float(std::max<size_t>(c.text.size(), 1)));
}

// The quad grown by mx of its width and my of its height on each side, along its own axes.
std::array<cv::Point2f, 4> WithMargins(const std::array<cv::Point2f, 4>& p, float mx, float my) {
  cv::Point2f ux = ((p[1] - p[0]) + (p[2] - p[3])) * 0.5f;
  cv::Point2f uy = ((p[3] - p[0]) + (p[2] - p[1])) * 0.5f;
  return {p[0] - ux * mx - uy * my, p[1] + ux * mx - uy * my, p[2] + ux * mx + uy * my, p[3] - ux * mx + uy * my};
}

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Result<std::vector<uint8_t>> ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("model file not found: ", path.string());
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.empty()) return Status::InvalidArgument("model file is empty: ", path.string());
  return data;
}

Status CheckView(const ImageView& v) {
  if (v.data == nullptr || v.width <= 0 || v.height <= 0) return Status::InvalidArgument("empty image");
  if (v.stride < v.width * 3) return Status::InvalidArgument("image stride smaller than 3*width");
  return Status::Ok();
}

// Orders four points as TL, TR, BR, BL with the long side horizontal.
std::array<cv::Point2f, 4> OrderCorners(const cv::RotatedRect& rr) {
  cv::RotatedRect r = rr;
  if (r.size.height > r.size.width) {
    std::swap(r.size.width, r.size.height);
    r.angle += 90.f;
  }
  cv::Point2f pts[4];
  r.points(pts);
  // Sort by x+y (TL smallest, BR largest) and y-x (TR smallest, BL largest).
  std::array<cv::Point2f, 4> out;
  auto by = [&](auto key) {
    return *std::min_element(pts, pts + 4, [&](const cv::Point2f& a, const cv::Point2f& b) { return key(a) < key(b); });
  };
  out[0] = by([](const cv::Point2f& p) { return p.x + p.y; });
  out[2] = by([](const cv::Point2f& p) { return -(p.x + p.y); });
  out[1] = by([](const cv::Point2f& p) { return p.y - p.x; });
  out[3] = by([](const cv::Point2f& p) { return p.x - p.y; });
  return out;
}

// Runs a network on one input blob; OpenCV errors become a Status.
Result<cv::Mat> Forward(cv::dnn::Net& net, const cv::Mat& blob, const char* what) {
  try {
    net.setInput(blob);
    return net.forward();
  } catch (const cv::Exception& e) {
    return Status::Internal(what, " forward: ", e.what());
  }
}

struct Detection {
  cv::RotatedRect rect;                // the plate in image pixels
  float score = 0;
  std::array<cv::Point2f, 4> corners;  // rect's corners, TL, TR, BR, BL
};

}  // namespace

Result<BoxFit> LoadBoxFit(const std::filesystem::path& path) {
  BoxFit fit;
  std::ifstream in(path);
  if (!in) return fit;  // optional: identity, no second look
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  auto pair = [&](const char* key, std::array<float, 2>* out) {
    auto v = j.at(key).get<std::vector<float>>();
    if (v.size() != 2 || !(v[0] > 0)) throw std::runtime_error(std::string(key) + " needs [a > 0, b]");
    *out = {v[0], v[1]};
  };
  try {
    if (j.is_discarded()) throw std::runtime_error("not valid JSON");
    pair("width_fit", &fit.width);
    pair("height_fit", &fit.height);
    if (j.contains("fine_plate_px")) {
      fit.fine_plate_px = j.at("fine_plate_px").get<float>();
      if (!(fit.fine_plate_px >= 16 && fit.fine_plate_px <= 200)) throw std::runtime_error("fine_plate_px out of 16..200");
      pair("fine_width_fit", &fit.fine_width);
      pair("fine_height_fit", &fit.fine_height);
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path.string(), ": ", e.what());
  }
  return fit;
}

struct Session::Impl {
  const Engine* engine = nullptr;
  cv::dnn::Net detector;
  cv::dnn::Net ocr;
  std::vector<const CountryProfile*> profiles;
  cv::Mat letterbox;  // detector input, reused
  cv::Mat gray;
  std::vector<cv::Mat> crops;
  cv::dnn::Net fine_detector;  // the detector again, at the second look's window size
  std::vector<cv::Mat> windows;
  cv::dnn::Net text_rec;  // the second opinion; empty when there is none
  cv::Mat text_in;

  // text_rec's probabilities [kTextW / 8, 37] for the quad, scaled to kTextH high (and at
  // most kTextW wide).
  Result<cv::Mat> ReadText(const cv::Mat& bgr_frame, const std::array<cv::Point2f, 4>& quad);
  // Reads the words printed on the plate for the profile's region and settles the reading
  // by it (EngineOptions::region_min_plate_px).
  Status ReadRegion(const cv::Mat& bgr_frame, const std::array<cv::Point2f, 4>& plate, const CountryProfile& profile,
                    PlateRead* read);
  // The second opinion's probability of each candidate's text, per character.
  Status SecondOpinion(const cv::Mat& bgr_frame, const std::array<cv::Point2f, 4>& quad,
                       std::vector<RawCandidate>* candidates);

  // Replaces each detection's rect by a second look's, where one is found.
  Status Refine(const cv::Mat& bgr, std::vector<Detection>* dets);

  Result<std::vector<Detection>> Detect(const cv::Mat& bgr);
  // OCR of each quad as given (one batched forward): the beam's readings per quad.
  Result<std::vector<std::vector<RawCandidate>>> ReadViews(const cv::Mat& gray_frame,
                                                           const std::vector<std::array<cv::Point2f, 4>>& quads);
  // Reads each plate (its corners), with a second look where unsure. One PlateRead per plate.
  Result<std::vector<PlateRead>> Read(const cv::Mat& bgr_frame, const cv::Mat& gray_frame,
                                      const std::vector<std::array<cv::Point2f, 4>>& quads);
  void RankCandidates(const std::vector<RawCandidate>& raw, PlateRead* read) const;
};

Engine::~Engine() = default;
Session::~Session() = default;
Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::shared_ptr<const Engine>> Engine::Open(const EngineOptions& options) {
  if (options.detector_width % 32 != 0 || options.detector_height % 32 != 0 || options.detector_width < 64 ||
      options.detector_height < 64) {
    return Status::InvalidArgument("detector size must be multiples of 32, at least 64: ", options.detector_width,
                                   "x", options.detector_height);
  }
  if (options.max_candidates < 1) return Status::InvalidArgument("max_candidates must be at least 1");
  if (options.max_plates < 1) return Status::InvalidArgument("max_plates must be at least 1");
  if (!(options.second_opinion_weight >= 0 && options.second_opinion_weight <= 10)) {
    return Status::InvalidArgument("second_opinion_weight must be in 0..10");
  }
  if (!(options.second_opinion_below >= 0 && options.second_opinion_below <= 1)) {
    return Status::InvalidArgument("second_opinion_below must be in 0..1");
  }
  if (options.region_min_plate_px < 0) return Status::InvalidArgument("region_min_plate_px must be at least 0");
  if (!(options.plausible_char_probability >= 0 && options.plausible_char_probability <= 1)) {
    return Status::InvalidArgument("plausible_char_probability must be in 0..1");
  }
  if (!(options.two_row_below_aspect >= 0 && options.two_row_below_aspect <= 10)) {
    return Status::InvalidArgument("two_row_below_aspect must be in 0..10");
  }
  auto engine = std::shared_ptr<Engine>(new Engine());
  engine->options_ = options;
  CUSTODIAN_ASSIGN_OR_RETURN(engine->detector_onnx_, ReadAll(options.model_dir / "detector.onnx"));
  CUSTODIAN_ASSIGN_OR_RETURN(engine->ocr_onnx_, ReadAll(options.model_dir / "ocr.onnx"));
  CUSTODIAN_ASSIGN_OR_RETURN(engine->formats_, FormatBook::Load((options.model_dir / "plate_formats.json").string()));
  CUSTODIAN_ASSIGN_OR_RETURN(engine->box_fit_, LoadBoxFit(options.model_dir / "detector.json"));
  if ((options.second_opinion_weight > 0 || options.region_min_plate_px > 0) &&
      std::filesystem::exists(options.model_dir / "text_rec.onnx")) {
    CUSTODIAN_ASSIGN_OR_RETURN(engine->text_rec_onnx_, ReadAll(options.model_dir / "text_rec.onnx"));
  }
  CUSTODIAN_RETURN_IF_ERROR(engine->formats_.ProfilesFor(options.country).status());
  // Instantiating a session checks that both networks load and have the expected shapes.
  auto probe = engine->NewSession();
  if (!probe.ok()) return probe.status();
  return std::shared_ptr<const Engine>(std::move(engine));
}

Result<std::unique_ptr<Session>> Engine::NewSession() const {
  auto impl = std::make_unique<Session::Impl>();
  impl->engine = this;
  try {
    impl->detector = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(detector_onnx_.data()),
                                              detector_onnx_.size());
    impl->ocr = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(ocr_onnx_.data()), ocr_onnx_.size());
    impl->fine_detector = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(detector_onnx_.data()),
                                                   detector_onnx_.size());
    impl->fine_detector.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    impl->detector.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    impl->ocr.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    // Shape check with a blank input.
    cv::Mat ocr_in({1, 1, kOcrH, kOcrW}, CV_32F, cv::Scalar(0.5));
    impl->ocr.setInput(ocr_in);
    cv::Mat out = impl->ocr.forward();
    if (out.dims != 4 || out.size[1] != int(kCharset.size()) + 1 || out.size[2] != 1) {
      return Status::InvalidArgument("ocr.onnx: unexpected output shape (need [N, 37, 1, T])");
    }
    if (!text_rec_onnx_.empty()) {
      impl->text_rec = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(text_rec_onnx_.data()),
                                                text_rec_onnx_.size());
      impl->text_rec.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      impl->text_rec.setInput(cv::Mat({1, 3, kTextH, kTextW}, CV_32F, cv::Scalar(0)));
      cv::Mat probs = impl->text_rec.forward();
      if (probs.dims != 2 || probs.size[0] != kTextW / 8 || probs.size[1] != int(kCharset.size()) + 1) {
        return Status::InvalidArgument("text_rec.onnx: unexpected output shape (need [", kTextW / 8, ", 37])");
      }
    }
    cv::Mat det_in({1, 3, options_.detector_height, options_.detector_width}, CV_32F, cv::Scalar(0));
    impl->detector.setInput(det_in);
    cv::Mat mask = impl->detector.forward();
    if (mask.dims != 4 || mask.size[1] != 1 || mask.size[2] != options_.detector_height / kDetStride ||
        mask.size[3] != options_.detector_width / kDetStride) {
      return Status::InvalidArgument("detector.onnx: unexpected output shape (need [1, 1, H/4, W/4])");
    }
  } catch (const cv::Exception& e) {
    return Status::InvalidArgument("cannot load models: ", e.what());
  }
  CUSTODIAN_ASSIGN_OR_RETURN(impl->profiles, formats_.ProfilesFor(options_.country));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

namespace {

// A component of the detector mask: its minimum-area rectangle in cells, grown by one cell
// a side as training/train_detector.py's mask_to_quads does (the training target is the
// plate shrunk to 90%, cell centres inside it), and its mean probability.
struct MaskRect {
  cv::RotatedRect rect;
  float score = 0;
};

std::vector<MaskRect> MaskRects(const cv::Mat& prob, float threshold) {
  cv::Mat bin = prob > threshold;
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(bin, labels, stats, centroids, 8, CV_32S);
  std::vector<MaskRect> out;
  for (int k = 1; k < n; ++k) {
    if (stats.at<int>(k, cv::CC_STAT_AREA) < 2) continue;
    std::vector<cv::Point2f> cells;
    double sum = 0;
    int x0 = stats.at<int>(k, cv::CC_STAT_LEFT), y0 = stats.at<int>(k, cv::CC_STAT_TOP);
    int cw = stats.at<int>(k, cv::CC_STAT_WIDTH), ch = stats.at<int>(k, cv::CC_STAT_HEIGHT);
    for (int y = y0; y < y0 + ch; ++y) {
      for (int x = x0; x < x0 + cw; ++x) {
        if (labels.at<int>(y, x) != k) continue;
        cells.emplace_back(float(x), float(y));
        sum += prob.at<float>(y, x);
      }
    }
    cv::RotatedRect rr = cv::minAreaRect(cells);
    rr.size.width += 2.f;
    rr.size.height += 2.f;
    rr.center += cv::Point2f(0.5f, 0.5f);
    out.push_back({rr, float(sum / double(cells.size()))});
  }
  return out;
}

// Applies a size calibration (long side, short side) to a rectangle in cells.
void Calibrate(const std::array<float, 2>& wfit, const std::array<float, 2>& hfit, cv::RotatedRect* rr) {
  float long_side = std::max(rr->size.width, rr->size.height), short_side = std::min(rr->size.width, rr->size.height);
  float fw = std::max(1.f, wfit[0] * long_side + wfit[1]);
  float fh = std::max(1.f, hfit[0] * short_side + hfit[1]);
  if (rr->size.width >= rr->size.height) rr->size = {fw, fh}; else rr->size = {fh, fw};
}

}  // namespace

Result<std::vector<Detection>> Session::Impl::Detect(const cv::Mat& bgr) {
  const EngineOptions& opt = engine->options();
  const BoxFit& fit = engine->box_fit_;
  const int W = opt.detector_width, H = opt.detector_height;
  const float scale = std::min(float(W) / bgr.cols, float(H) / bgr.rows);
  const int sw = std::max(1, int(std::lround(bgr.cols * scale)));
  const int sh = std::max(1, int(std::lround(bgr.rows * scale)));
  letterbox.create(H, W, CV_8UC3);
  letterbox.setTo(cv::Scalar::all(0));
  cv::resize(bgr, letterbox(cv::Rect(0, 0, sw, sh)), cv::Size(sw, sh), 0, 0,
             scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  CUSTODIAN_ASSIGN_OR_RETURN(cv::Mat mask, Forward(detector, cv::dnn::blobFromImage(letterbox, 1.0 / 255.0), "detector"));
  cv::Mat prob(mask.size[2], mask.size[3], CV_32F, mask.ptr<float>());
  std::vector<Detection> dets;
  for (MaskRect& m : MaskRects(prob, opt.mask_threshold)) {
    if (m.score < opt.min_detection_score) continue;
    Calibrate(fit.width, fit.height, &m.rect);
    cv::RotatedRect rr = m.rect;
    rr.center *= float(kDetStride) / scale;
    rr.size.width *= float(kDetStride) / scale;
    rr.size.height *= float(kDetStride) / scale;
    dets.push_back({rr, m.score, {}});
  }
  std::stable_sort(dets.begin(), dets.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  if (dets.size() > size_t(opt.max_plates)) dets.resize(size_t(opt.max_plates));
  if (opt.second_look && fit.fine_plate_px > 0 && !dets.empty()) {
    CUSTODIAN_RETURN_IF_ERROR(Refine(bgr, &dets));
  }
  for (Detection& d : dets) d.corners = OrderCorners(d.rect);
  return dets;
}

Status Session::Impl::Refine(const cv::Mat& bgr, std::vector<Detection>* dets) {
  // A second look at each plate: a window around it, scaled so the plate is about
  // fine_plate_px wide, through the same detector in one batch; the component nearest the
  // window's centre gives the refined rectangle.
  const BoxFit& fit = engine->box_fit_;
  const size_t n = dets->size();
  windows.resize(n);
  std::vector<cv::Matx23f> to_window(n);
  for (size_t i = 0; i < n; ++i) {
    const cv::RotatedRect& r = (*dets)[i].rect;
    float plate_w = std::max({r.size.width, r.size.height, 8.f});
    float s = fit.fine_plate_px / plate_w;
    cv::Matx23f m(s, 0, kFineW / 2.f - s * r.center.x, 0, s, kFineH / 2.f - s * r.center.y);
    to_window[i] = m;
    cv::warpAffine(bgr, windows[i], m, cv::Size(kFineW, kFineH), s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR,
                   cv::BORDER_CONSTANT, cv::Scalar::all(0));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(cv::Mat masks, Forward(fine_detector, cv::dnn::blobFromImages(windows, 1.0 / 255.0),
                                                    "detector (second look)"));
  const int mh = masks.size[2], mw = masks.size[3];
  for (size_t i = 0; i < n; ++i) {
    cv::Mat prob(mh, mw, CV_32F, masks.ptr<float>() + i * size_t(mh) * size_t(mw));
    const cv::Point2f centre(kFineW / 2.f / kDetStride, kFineH / 2.f / kDetStride);
    const MaskRect* best = nullptr;
    float best_d = 0;
    std::vector<MaskRect> found = MaskRects(prob, engine->options().mask_threshold);
    for (const MaskRect& m : found) {
      cv::Point2f d = m.rect.center - centre;
      float dist = d.dot(d);
      if (best == nullptr || dist < best_d) { best = &m; best_d = dist; }
    }
    if (best == nullptr) continue;  // keep the first look
    cv::RotatedRect rr = best->rect;
    Calibrate(fit.fine_width, fit.fine_height, &rr);
    const cv::Matx23f& m = to_window[i];
    const float s = m(0, 0);
    rr.center = cv::Point2f((rr.center.x * kDetStride - m(0, 2)) / s, (rr.center.y * kDetStride - m(1, 2)) / s);
    rr.size.width *= float(kDetStride) / s;
    rr.size.height *= float(kDetStride) / s;
    (*dets)[i].rect = rr;
  }
  return Status::Ok();
}

void Session::Impl::RankCandidates(const std::vector<RawCandidate>& raw, PlateRead* read) const {
  const EngineOptions& opt = engine->options();
  const FormatBook& book = engine->formats();
  struct Ranked {
    std::string text;
    float score;
    std::vector<float> probs;
    bool fits;
    std::string country, layout;
    int rows = 1;
  };
  std::vector<Ranked> ranked;
  const bool all_strict = std::all_of(profiles.begin(), profiles.end(), [](auto* p) { return p->strict; });
  for (const RawCandidate& c : raw) {
    const int n = int(c.text.size());
    const float geo = PerCharProbability(c);
    Ranked best{c.text, 0, c.char_probs, false, "", "", c.rows};
    bool length_ok = false;
    for (const CountryProfile* p : profiles) {
      if (n < p->min_length || n > p->max_length) continue;
      length_ok = true;
      FormatFit fit = book.Fit(*p, c.text);
      // A reading that fits as read keeps its score. A strict profile takes a reading only
      // after swapping confusable characters (0.9 a swap); the beam's own alternatives
      // usually rank above such swaps. A lenient profile never changes the text (vanity
      // plates are real) and only weighs down readings that fit none of its formats.
      float s = 0;
      if (fit.fits && fit.corrections == 0) {
        s = geo;
      } else if (p->strict) {
        s = fit.fits ? geo * std::pow(0.9f, float(fit.corrections)) : 0.f;
      } else {
        fit = {false, c.text, "", 0};
        s = geo * p->unfit_weight;
      }
      for (char ch : fit.text) s *= p->char_weight[static_cast<unsigned char>(ch) & 0x7f];
      if (s > best.score) best = {fit.text, s, c.char_probs, fit.fits, fit.fits ? p->name : "", fit.format, c.rows};
    }
    if (!length_ok || best.score <= 0) continue;
    if (all_strict && !best.fits) continue;
    ranked.push_back(std::move(best));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  std::vector<Ranked> unique;
  for (auto& r : ranked) {
    if (std::none_of(unique.begin(), unique.end(), [&](const Ranked& u) { return u.text == r.text; })) {
      unique.push_back(std::move(r));
    }
    if (int(unique.size()) >= opt.max_candidates) break;
  }
  read->candidates.clear();
  for (const auto& u : unique) read->candidates.push_back({u.text, u.score, u.fits});
  if (!unique.empty()) {
    read->text = unique[0].text;
    read->confidence = unique[0].score;
    read->char_confidences = unique[0].probs;
    read->country = unique[0].country;
    read->layout = unique[0].layout;
    read->rows = unique[0].rows;
  }
}

Result<std::vector<std::vector<RawCandidate>>> Session::Impl::ReadViews(
    const cv::Mat& gray_frame, const std::vector<std::array<cv::Point2f, 4>>& quads) {
  crops.resize(quads.size());
  const cv::Point2f dst[4] = {{0, 0}, {float(kOcrW), 0}, {float(kOcrW), float(kOcrH)}, {0, float(kOcrH)}};
  for (size_t k = 0; k < quads.size(); ++k) {
    cv::Point2f src[4] = {quads[k][0], quads[k][1], quads[k][2], quads[k][3]};
    cv::warpPerspective(gray_frame, crops[k], cv::getPerspectiveTransform(src, dst), cv::Size(kOcrW, kOcrH),
                        cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
  // One batched forward for all crops.
  CUSTODIAN_ASSIGN_OR_RETURN(cv::Mat out, Forward(ocr, cv::dnn::blobFromImages(crops, 1.0 / 255.0), "ocr"));
  const int classes = out.size[1], steps = out.size[3];
  const int limit = engine->options().max_candidates * 4;
  std::vector<std::vector<RawCandidate>> readings(quads.size());
  for (size_t k = 0; k < quads.size(); ++k) {
    const float* logits = out.ptr<float>() + k * size_t(classes) * size_t(steps);
    std::vector<float> probs(logits, logits + size_t(classes) * steps);
    SoftmaxOverClasses(probs.data(), classes, steps);
    readings[k] = BestReadings(DecodeGreedy(probs.data(), classes, steps, kCharset, kOptionsPerChar), limit);
  }
  return readings;
}

Result<cv::Mat> Session::Impl::ReadText(const cv::Mat& bgr_frame, const std::array<cv::Point2f, 4>& q) {
  const cv::Size2f qs = QuadSize(q);
  const int w = std::clamp(int(std::lround(kTextH * qs.width / std::max(qs.height, 1.f))), 8, kTextW);
  const cv::Point2f src[4] = {q[0], q[1], q[2], q[3]};
  const cv::Point2f dst[4] = {{0, 0}, {float(w), 0}, {float(w), float(kTextH)}, {0, float(kTextH)}};
  cv::Mat warped;
  cv::warpPerspective(bgr_frame, warped, cv::getPerspectiveTransform(src, dst), cv::Size(w, kTextH), cv::INTER_LINEAR,
                      cv::BORDER_REPLICATE);
  text_in.create(kTextH, kTextW, CV_32FC3);
  text_in.setTo(cv::Scalar::all(0));
  warped.convertTo(text_in(cv::Rect(0, 0, w, kTextH)), CV_32F, 1.0 / 127.5, -1.0);
  return Forward(text_rec, cv::dnn::blobFromImage(text_in), "text_rec");
}

Status Session::Impl::ReadRegion(const cv::Mat& bgr_frame, const std::array<cv::Point2f, 4>& plate,
                                 const CountryProfile& profile, PlateRead* read) {
  // A point of the plate at (u, v), fractions of its width and height from the top left.
  auto at = [&](float u, float v) {
    return plate[0] * ((1 - u) * (1 - v)) + plate[1] * (u * (1 - v)) + plate[2] * (u * v) + plate[3] * ((1 - u) * v);
  };
  // The state's name is printed above the characters or below them; the middle 70% of
  // the plate's width keeps the corner stickers out.
  constexpr float kBands[][2] = {{0.f, 0.28f}, {0.72f, 1.f}};
  std::vector<std::string> words;
  RegionMatch match;
  for (const auto& band : kBands) {
    CUSTODIAN_ASSIGN_OR_RETURN(cv::Mat probs, ReadText(bgr_frame, {at(0.15f, band[0]), at(0.85f, band[0]),
                                                                   at(0.85f, band[1]), at(0.15f, band[1])}));
    words.push_back(BestPathText(probs.ptr<float>(), probs.size[1], probs.size[0], kCharset));
    match = MatchRegion(profile.regions, words);
    if (match.index >= 0) break;
  }
  if (match.index < 0) return Status::Ok();
  const Region& region = profile.regions[size_t(match.index)];
  read->region = region.code;
  read->region_confidence = match.confidence;
  const std::string settled = SettleByRegion(region, read->text);
  if (settled == read->text) return Status::Ok();
  // The settled reading comes first, with the best reading's score; the reading as read
  // stays second (a search for either finds the plate).
  std::erase_if(read->candidates, [&](const Candidate& c) { return c.text == settled; });
  const FormatFit fit = engine->formats().Fit(profile, settled);
  const bool fits = fit.fits && fit.corrections == 0;
  read->candidates.insert(read->candidates.begin(), {settled, read->confidence, fits});
  if (int(read->candidates.size()) > engine->options().max_candidates) {
    read->candidates.resize(size_t(engine->options().max_candidates));  // Open checks it is at least 1
  }
  read->text = settled;
  read->country = fits ? profile.name : "";
  read->layout = fits ? fit.format : "";
  return Status::Ok();
}

Status Session::Impl::SecondOpinion(const cv::Mat& bgr_frame, const std::array<cv::Point2f, 4>& quad,
                                    std::vector<RawCandidate>* candidates) {
  CUSTODIAN_ASSIGN_OR_RETURN(cv::Mat probs, ReadText(bgr_frame, WithMargins(quad, kViews[0][0], kViews[0][1])));
  // No opinion on 0 against O or 1 against I: plates' labels use the digit for either
  // glyph far more often than a general text reader does (the recognizer, trained on
  // them, decides); both classes get the pair's total.
  const int classes = probs.size[1], steps = probs.size[0];
  for (int t = 0; t < steps; ++t) {
    float* p = probs.ptr<float>() + size_t(t) * size_t(classes);
    for (auto [a, b] : {std::pair{'0', 'O'}, std::pair{'1', 'I'}}) {
      const size_t ia = kCharset.find(a) + 1, ib = kCharset.find(b) + 1;
      p[ia] = p[ib] = p[ia] + p[ib];
    }
  }
  const float power = engine->options().second_opinion_weight;
  for (RawCandidate& c : *candidates) {
    double p = CtcTextProbability(probs.ptr<float>(), classes, steps, kCharset, c.text);
    // Per character, floored so that one disagreement weighs a candidate down, not out.
    double per_char = std::max(std::pow(p, 1.0 / double(std::max<size_t>(c.text.size(), 1))), 1e-3);
    c.score = float(double(c.score) * std::pow(per_char, double(power) * double(c.text.size())));
  }
  std::stable_sort(candidates->begin(), candidates->end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  return Status::Ok();
}

Result<std::vector<PlateRead>> Session::Impl::Read(const cv::Mat& bgr_frame, const cv::Mat& gray_frame,
                                                   const std::vector<std::array<cv::Point2f, 4>>& plates) {
  if (plates.empty()) return std::vector<PlateRead>{};
  const EngineOptions& opt = engine->options();
  const size_t views = size_t(std::clamp(opt.ocr_views, 1, int(std::size(kViews))));
  // First look: the trained framing, every plate.
  std::vector<std::array<cv::Point2f, 4>> quads;
  for (const auto& p : plates) quads.push_back(WithMargins(p, kViews[0][0], kViews[0][1]));
  CUSTODIAN_ASSIGN_OR_RETURN(auto first, ReadViews(gray_frame, quads));
  std::vector<std::vector<std::vector<RawCandidate>>> per_plate(plates.size());
  for (size_t k = 0; k < plates.size(); ++k) per_plate[k].push_back(std::move(first[k]));
  // Plates whose first reading has an unsure character get the other framings (and, if
  // less sure still, the second opinion); not a first reading too short or too improbable
  // to be a plate (a sign, a grille, a sticker): more looks would only cost time.
  std::vector<size_t> unsure;
  std::vector<float> weakest(plates.size(), 0.f);  // the first reading's least sure character
  std::vector<bool> plausible(plates.size(), false);
  for (size_t k = 0; k < plates.size(); ++k) {
    const auto& best = per_plate[k][0];
    if (best.empty() || best[0].char_probs.empty()) continue;
    weakest[k] = *std::min_element(best[0].char_probs.begin(), best[0].char_probs.end());
    plausible[k] = int(best[0].text.size()) >= opt.min_text_length &&
                   PerCharProbability(best[0]) >= opt.plausible_char_probability;
    if (plausible[k] && weakest[k] < opt.sure_char_confidence) unsure.push_back(k);
  }
  if (views > 1) {
    quads.clear();
    for (size_t k : unsure) {
      for (size_t v = 1; v < views; ++v) quads.push_back(WithMargins(plates[k], kViews[v][0], kViews[v][1]));
    }
    if (!unsure.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto more, ReadViews(gray_frame, quads));
      for (size_t i = 0; i < unsure.size(); ++i) {
        for (size_t v = 1; v < views; ++v) per_plate[unsure[i]].push_back(std::move(more[i * (views - 1) + v - 1]));
      }
    }
  }
  // Plates squarer than a one-row plate are also read as two rows (top half, bottom half);
  // each pair of row readings becomes one candidate whose probability is the product.
  std::vector<std::vector<RawCandidate>> two_row(plates.size());
  std::vector<size_t> squarish;
  {
    quads.clear();
    for (size_t k = 0; k < plates.size(); ++k) {
      const auto& p = plates[k];
      const cv::Size2f size = QuadSize(p);
      if (!(size.width < opt.two_row_below_aspect * size.height)) continue;
      squarish.push_back(k);
      const cv::Point2f ml = (p[0] + p[3]) * 0.5f, mr = (p[1] + p[2]) * 0.5f;
      quads.push_back(WithMargins({p[0], p[1], mr, ml}, kViews[0][0], kViews[0][1]));
      quads.push_back(WithMargins({ml, mr, p[2], p[3]}, kViews[0][0], kViews[0][1]));
    }
    if (!squarish.empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto halves, ReadViews(gray_frame, quads));
      const size_t limit = size_t(opt.max_candidates) * 4;
      for (size_t i = 0; i < squarish.size(); ++i) {
        auto& out = two_row[squarish[i]];
        for (const RawCandidate& top : halves[2 * i]) {
          for (const RawCandidate& bottom : halves[2 * i + 1]) {
            RawCandidate c{top.text + bottom.text, top.score * bottom.score, top.char_probs, 2};
            c.char_probs.insert(c.char_probs.end(), bottom.char_probs.begin(), bottom.char_probs.end());
            out.push_back(std::move(c));
          }
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
        if (out.size() > limit) out.resize(limit);
      }
    }
  }
  std::vector<PlateRead> reads(plates.size());
  for (size_t k = 0; k < plates.size(); ++k) {
    // Each view votes with its readings' probabilities; a reading missing from a view gets 0.
    std::vector<RawCandidate> merged;
    const float n = float(per_plate[k].size());
    for (auto& view : per_plate[k]) {
      for (RawCandidate& c : view) {
        auto it = std::find_if(merged.begin(), merged.end(), [&](const RawCandidate& m) { return m.text == c.text; });
        c.score /= n;
        if (it == merged.end()) {
          merged.push_back(std::move(c));
        } else {
          if (c.score > it->score) it->char_probs = c.char_probs;  // keep the surest view's characters
          it->score += c.score;
        }
      }
    }
    for (RawCandidate& c : two_row[k]) {
      if (std::none_of(merged.begin(), merged.end(), [&](const RawCandidate& m) { return m.text == c.text; })) {
        merged.push_back(std::move(c));
      }
    }
    std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    // The second opinion reads one line: no opinion on a plate that may have two.
    if (!text_rec.empty() && opt.second_opinion_weight > 0 && plausible[k] && !merged.empty() &&
        weakest[k] < opt.second_opinion_below &&
        std::find(squarish.begin(), squarish.end(), k) == squarish.end()) {
      CUSTODIAN_RETURN_IF_ERROR(SecondOpinion(bgr_frame, plates[k], &merged));
    }
    for (size_t i = 0; i < 4; ++i) reads[k].corners[i] = {plates[k][i].x, plates[k][i].y};
    RankCandidates(merged, &reads[k]);
    if (!text_rec.empty() && opt.region_min_plate_px > 0 && plausible[k] && !reads[k].text.empty() &&
        QuadSize(plates[k]).height >= float(opt.region_min_plate_px)) {
      for (const CountryProfile* p : profiles) {
        if (p->regions.empty() || (profiles.size() > 1 && reads[k].country != p->name)) continue;
        CUSTODIAN_RETURN_IF_ERROR(ReadRegion(bgr_frame, plates[k], *p, &reads[k]));
        break;
      }
    }
  }
  return reads;
}

Result<Recognition> Session::Recognize(const ImageView& view) {
  CUSTODIAN_RETURN_IF_ERROR(CheckView(view));
  auto t0 = Clock::now();
  cv::Mat bgr(view.height, view.width, CV_8UC3, const_cast<uint8_t*>(view.data), size_t(view.stride));
  Recognition rec;
  rec.image_width = view.width;
  rec.image_height = view.height;
  CUSTODIAN_ASSIGN_OR_RETURN(std::vector<Detection> dets, impl_->Detect(bgr));
  rec.timings.detect_ms = MsSince(t0);
  auto t1 = Clock::now();
  if (!dets.empty()) cv::cvtColor(bgr, impl_->gray, cv::COLOR_BGR2GRAY);
  const auto& opt = impl_->engine->options();
  std::vector<std::array<cv::Point2f, 4>> quads;
  for (const Detection& d : dets) quads.push_back(d.corners);
  CUSTODIAN_ASSIGN_OR_RETURN(std::vector<PlateRead> reads, impl_->Read(bgr, impl_->gray, quads));
  for (size_t k = 0; k < reads.size(); ++k) {
    if (int(reads[k].text.size()) < opt.min_text_length) continue;
    for (size_t i = 0; i < 4; ++i) reads[k].corners[i] = {dets[k].corners[i].x, dets[k].corners[i].y};
    reads[k].detection_score = dets[k].score;
    rec.plates.push_back(std::move(reads[k]));
  }
  rec.timings.ocr_ms = MsSince(t1);
  rec.timings.total_ms = MsSince(t0);
  return rec;
}

Result<Recognition> Session::RecognizeCrop(const ImageView& view) {
  CUSTODIAN_RETURN_IF_ERROR(CheckView(view));
  auto t0 = Clock::now();
  cv::Mat bgr(view.height, view.width, CV_8UC3, const_cast<uint8_t*>(view.data), size_t(view.stride));
  cv::cvtColor(bgr, impl_->gray, cv::COLOR_BGR2GRAY);
  const float w = float(view.width), h = float(view.height);
  std::array<cv::Point2f, 4> q = {cv::Point2f{0, 0}, {w, 0}, {w, h}, {0, h}};
  Recognition rec;
  rec.image_width = view.width;
  rec.image_height = view.height;
  CUSTODIAN_ASSIGN_OR_RETURN(std::vector<PlateRead> reads, impl_->Read(bgr, impl_->gray, {q}));
  PlateRead& read = reads.front();
  read.corners = {Point{0, 0}, Point{w, 0}, Point{w, h}, Point{0, h}};
  read.detection_score = 1.0f;
  if (!read.text.empty()) rec.plates.push_back(std::move(read));
  rec.timings.ocr_ms = MsSince(t0);
  rec.timings.total_ms = rec.timings.ocr_ms;
  return rec;
}

}  // namespace custodian::vision
