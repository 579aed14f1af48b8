// The recognition engine: from an image to plate text, confidence and position.
//
// Basic usage:
//   using namespace custodian::vision;
//   auto engine = Engine::Open({.model_dir = "models", .country = "us"});
//   if (!engine.ok()) return engine.status();
//   auto session = (*engine)->NewSession();          // one per worker thread
//   if (!session.ok()) return session.status();
//   auto image = ReadImageFile("car.jpg", {});
//   auto result = (*session)->Recognize(View(*image));
//   for (const PlateRead& p : result->plates) std::cout << p.text << " " << p.confidence << "\n";
//
// The Engine is loaded once and never changes; it is shared by threads. Each worker
// gets its own Session (its own network instances and buffers), so the per-frame path
// takes no lock.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/vision/image.h"
#include "custodian/vision/plate_format.h"

namespace custodian::vision {

struct EngineOptions {
  // Folder holding detector.onnx, ocr.onnx and plate_formats.json (and, optionally,
  // detector.json and text_rec.onnx). Default: "models".
  std::filesystem::path model_dir = "models";
  // Country profile used to pick and correct plate text: "us", "eu", "br" or "auto"
  // (every profile's formats, none strict). Default: "auto".
  std::string country = "auto";
  // Detector input size; the frame is letterboxed into it. Multiples of 32. Default: 640x384
  // (a 1280x720 frame fills 640x360 of it). The light detector shipped since session 5 misses
  // small plates at 576x320 that it finds at 640x384, and is faster at 640x384 than the
  // previous detector was at 576x320.
  int detector_width = 640;
  int detector_height = 384;
  // Mask probability above which a detector cell counts as plate. Default: 0.5.
  float mask_threshold = 0.5f;
  // Plates whose mean mask probability is below this are dropped. Default: 0.7.
  float min_detection_score = 0.7f;
  // At most this many plates per frame, the most confident kept. Default: 16.
  int max_plates = 16;
  // Alternative readings kept per plate (the best included). Default: 10.
  int max_candidates = 10;
  // Look again at each detected plate at higher resolution to tighten its corners (needs
  // the fine_* calibration in models/detector.json). Default: true.
  bool second_look = true;
  // Crops read per plate (1..3): the trained framing, then a looser and a tighter one,
  // whose readings vote together. The extra views are read only for plates whose first
  // reading has a character below sure_char_confidence. Default: 3.
  int ocr_views = 3;
  // A first reading whose every character is at least this sure needs no second look. Default: 0.9.
  float sure_char_confidence = 0.9f;
  // Readings with text shorter than this are dropped (not a plate). Default: 4.
  int min_text_length = 4;
  // A first reading shorter than min_text_length or whose per-character probability
  // (geometric mean) is below this is taken for something other than a plate (a sign, a
  // grille, a sticker) and gets no extra views and no second opinion. On the development
  // scenes every plate read right had 0.86 or more, and 71 of the 96 other detections were
  // below 0.5 or too short. Default: 0.5.
  float plausible_char_probability = 0.5f;
  // A plate whose width is less than this many times its height (square EU plates,
  // motorcycle plates; US plates are 2:1) is also read as two rows, each through the
  // recognizer, and the two-row readings compete with the one-row ones. Default: 1.6.
  float two_row_below_aspect = 1.6f;
  // A second opinion for unsure plates (those whose first reading has a character below
  // second_opinion_below): models/text_rec.onnx, PaddleOCR's PP-OCRv4 text recognizer
  // converted by training/export_text_rec.py, reads the plate in colour, and each
  // candidate's score is multiplied by the probability that network gives the candidate's
  // text, per character, raised to this power. 0, or no text_rec.onnx, turns it off.
  // Default: 1.
  float second_opinion_weight = 1.0f;
  // The second opinion costs about five first readings (~30 ms on one core of the
  // development machine), so it is asked only below this (and only for plausible first
  // readings). Default: 0.9, the threshold of the extra views (0.7 before session 5).
  float second_opinion_below = 0.9f;
  // For profiles with regions (us: the states), a plate at least this many pixels high in
  // the image (and with a plausible first reading) has the words printed above its characters (and, if those name no state,
  // below them) read by models/text_rec.onnx; the state they name sets PlateRead::region
  // and settles 0/O and 1/I by that state's formats (SettleByRegion). Each band read costs
  // about as much as the second opinion (~30 ms on one core). 0 turns it off. Default: 80
  // (a state name on a smaller plate is too small to read; the benchmark's US crops are 156
  // px high, its US road scenes' plates 26-164, median 43).
  int region_min_plate_px = 80;
};

struct Point {
  float x = 0;
  float y = 0;
};

struct Candidate {
  std::string text;
  float confidence = 0;        // 0..1
  bool matches_format = false;  // fits one of the country profile's formats
};

// Milliseconds spent in each stage of one Recognize call.
struct StageTimings {
  double detect_ms = 0;
  double ocr_ms = 0;
  double total_ms = 0;
};

struct PlateRead {
  std::string text;                     // best reading, upper case, no spaces
  float confidence = 0;                 // 0..1
  std::vector<float> char_confidences;  // one per character of `text`
  std::vector<Candidate> candidates;    // best first; candidates[0].text == text
  std::array<Point, 4> corners;         // TL, TR, BR, BL in image pixels
  float detection_score = 0;            // 0..1
  std::string country;                  // profile that matched: "us", "eu", "br" or ""
  std::string region;                   // the state its printed words name ("in", "ma"), or ""
  float region_confidence = 0;          // 0..1, 0 when region is ""
  std::string layout;                   // the matched format, e.g. "LLLNLNN", or ""
  int rows = 1;                         // 2: read as a two-row plate, top row first
};

struct Recognition {
  int image_width = 0;
  int image_height = 0;
  std::vector<PlateRead> plates;  // most confident first; empty means no plate seen
  StageTimings timings;
};

class Session;

// Maps the detector mask's rectangle (in cells, grown one cell a side) to the plate's
// size in cells: size = a * mask_size + b, for the long and the short side. Fitted on the
// training split by training/calibrate_boxes.py into models/detector.json (optional;
// identity when absent).
// The second look (fine_*) is the same for a window where the plate is scaled to
// fine_plate_px wide; fine_plate_px = 0 turns the second look off.
struct BoxFit {
  std::array<float, 2> width{1.f, 0.f};
  std::array<float, 2> height{1.f, 0.f};
  float fine_plate_px = 0;
  std::array<float, 2> fine_width{1.f, 0.f};
  std::array<float, 2> fine_height{1.f, 0.f};
};
Result<BoxFit> LoadBoxFit(const std::filesystem::path& path);

// Thread-safe and immutable after Open. Must outlive every Session it creates.
class Engine {
 public:
  // Loads and checks the models. kNotFound if a model file is missing, kInvalidArgument
  // for a bad option or a model that does not load.
  static Result<std::shared_ptr<const Engine>> Open(const EngineOptions& options);

  // A new worker session. Cheap relative to Open, but not free (it instantiates the networks).
  Result<std::unique_ptr<Session>> NewSession() const;

  const EngineOptions& options() const { return options_; }
  const FormatBook& formats() const { return formats_; }

  ~Engine();

 private:
  friend class Session;
  Engine() = default;
  EngineOptions options_;
  std::vector<uint8_t> detector_onnx_;
  std::vector<uint8_t> ocr_onnx_;
  std::vector<uint8_t> text_rec_onnx_;  // empty: no second opinion
  FormatBook formats_;
  BoxFit box_fit_;
};

// Not thread-safe: one per worker.
class Session {
 public:
  ~Session();
  // Finds and reads every plate in a BGR frame.
  Result<Recognition> Recognize(const ImageView& image);
  // Reads a frame that is one plate (a crop), skipping detection: OCR only.
  Result<Recognition> RecognizeCrop(const ImageView& image);

 private:
  friend class Engine;
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custodian::vision
