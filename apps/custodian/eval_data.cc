#include "eval_data.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "custodian/vision/tracker.h"

namespace custodian::app {
namespace fs = std::filesystem;
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) out.push_back(part);
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  return s;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

Result<std::vector<LabelledImage>> LoadLabelledFolder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound("no such folder: ", dir);
  std::vector<LabelledImage> out;
  fs::path csv = fs::path(dir) / "labels.csv";
  if (fs::exists(csv, ec)) {
    std::ifstream in(csv);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      line = Trim(line);
      if (line.empty() || (lineno == 1 && line.rfind("image,", 0) == 0)) continue;
      auto f = Split(line, ',');
      if (f.size() < 3) return Status::InvalidArgument(csv.string(), ":", lineno, ": expected image,region,plate");
      fs::path img = fs::path(dir) / f[0];
      if (!fs::exists(img, ec) && fs::exists(fs::path(dir) / "images" / f[0], ec)) img = fs::path(dir) / "images" / f[0];
      out.push_back({img.string(), false, 0, 0, 0, 0, Upper(f[2]), Lower(Trim(f[1]))});
    }
  } else {
    std::vector<fs::path> txts;
    for (auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".txt") txts.push_back(e.path());
    }
    std::sort(txts.begin(), txts.end());
    for (const auto& t : txts) {
      std::ifstream in(t);
      std::string line;
      std::getline(in, line);
      auto f = Split(Trim(line), '\t');
      if (f.size() < 6) return Status::InvalidArgument(t.string(), ": expected image<TAB>x<TAB>y<TAB>w<TAB>h<TAB>PLATE");
      LabelledImage li;
      li.path = (fs::path(dir) / f[0]).string();
      li.has_box = true;
      try {
        li.x = std::stof(f[1]);
        li.y = std::stof(f[2]);
        li.w = std::stof(f[3]);
        li.h = std::stof(f[4]);
      } catch (const std::exception&) {
        return Status::InvalidArgument(t.string(), ": box coordinates are not numbers");
      }
      li.plate = Upper(f[5]);
      out.push_back(std::move(li));
    }
  }
  if (out.empty()) return Status::InvalidArgument("no labels in ", dir, " (need NAME.txt files or labels.csv)");
  return out;
}

float Iou(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh) {
  return vision::Overlap({ax, ay, aw, ah}, {bx, by, bw, bh});
}

int EditDistance(const std::string& a, const std::string& b) { return vision::EditDistance(a, b); }

}  // namespace custodian::app
