// Writes the bad (and odd but valid) input files the CLI test feeds to `custodian read`.
// Usage: make_fixtures SAMPLE.jpg OUTDIR
#include <cstdio>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace {
void Write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_fixtures SAMPLE.jpg OUTDIR\n");
    return 2;
  }
  cv::Mat sample = cv::imread(argv[1], cv::IMREAD_COLOR);
  if (sample.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  const std::string out = argv[2];
  std::vector<uint8_t> buf;
  // Valid but unusual: grayscale, 16-bit, RGBA.
  cv::Mat gray, deep, rgba;
  cv::cvtColor(sample, gray, cv::COLOR_BGR2GRAY);
  cv::imwrite(out + "/gray.png", gray);
  gray.convertTo(deep, CV_16U, 257.0);
  cv::imwrite(out + "/deep16.png", deep);
  cv::cvtColor(sample, rgba, cv::COLOR_BGR2BGRA);
  cv::imwrite(out + "/rgba.png", rgba);
  // Bad: empty, truncated, not an image, 1x1, a 30000x30000 header on a tiny file.
  Write(out + "/empty.jpg", {});
  cv::imencode(".jpg", sample, buf);
  buf.resize(buf.size() / 2);
  Write(out + "/truncated.jpg", buf);
  std::ofstream(out + "/notes.jpg") << "meeting notes, not a picture\n";
  cv::imwrite(out + "/tiny.png", cv::Mat(1, 1, CV_8UC3, cv::Scalar(0, 0, 0)));
  cv::imencode(".png", cv::Mat(16, 16, CV_8UC3, cv::Scalar(9, 9, 9)), buf);
  for (size_t at : {size_t(16), size_t(20)}) {  // IHDR width, height = 30000
    buf[at] = 0; buf[at + 1] = 0; buf[at + 2] = 0x75; buf[at + 3] = 0x30;
  }
  Write(out + "/bomb.png", buf);
  return 0;
}
