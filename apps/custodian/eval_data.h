// Labelled folders for `custodian eval`, and the scoring helpers.
#pragma once

#include <string>
#include <vector>

#include "custodian/core/status.h"

namespace custodian::app {

struct LabelledImage {
  std::string path;
  bool has_box = false;  // scene image with a box; false for a crop (OCR only)
  float x = 0, y = 0, w = 0, h = 0;
  std::string plate;
  std::string region;  // crops: labels.csv's region (a US state code, lower case), or ""
};

// A scenes folder (each image with a NAME.txt line `image<TAB>x<TAB>y<TAB>w<TAB>h<TAB>PLATE`)
// or a crops folder (labels.csv `image,region,plate`; images beside it or in images/).
// kNotFound for a missing folder, kInvalidArgument for a folder with no labels or a bad line.
Result<std::vector<LabelledImage>> LoadLabelledFolder(const std::string& dir);

// Intersection over union of two axis-aligned boxes.
float Iou(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh);

// Levenshtein distance.
int EditDistance(const std::string& a, const std::string& b);

}  // namespace custodian::app
