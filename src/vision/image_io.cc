#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "custodian/vision/image.h"

namespace custodian::vision {
namespace {

uint32_t Be16(const uint8_t* p) { return (uint32_t(p[0]) << 8) | p[1]; }
uint32_t Be32(const uint8_t* p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }
uint32_t Le16(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8); }
uint32_t Le24(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16); }
uint32_t Le32(const uint8_t* p) { return Le16(p) | (Le16(p + 2) << 16); }

bool StartsWith(std::span<const uint8_t> b, const char* magic, size_t n) {
  return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

Status Truncated(const char* format) {
  return Status::InvalidArgument("truncated or corrupt ", format, " file");
}

Result<ImageInfo> ProbeJpeg(std::span<const uint8_t> b) {
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return Truncated("JPEG");
    uint8_t marker = b[i + 1];
    if (marker == 0xFF) { ++i; continue; }                 // fill byte
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { i += 2; continue; }
    if (marker == 0xD9 || marker == 0xDA) break;           // end, or scan before any frame header
    uint32_t len = Be16(&b[i + 2]);
    if (len < 2 || i + 2 + len > b.size()) return Truncated("JPEG");
    bool sof = (marker >= 0xC0 && marker <= 0xCF) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (len < 7) return Truncated("JPEG");
      ImageInfo info{"jpeg", int(Be16(&b[i + 7])), int(Be16(&b[i + 5]))};
      // A complete JPEG has its end-of-image marker after the scan data.
      size_t tail_start = b.size() > 65536 ? b.size() - 65536 : i;
      bool has_eoi = false;
      for (size_t k = b.size() - 1; k > tail_start; --k) {
        if (b[k] == 0xD9 && b[k - 1] == 0xFF) { has_eoi = true; break; }
      }
      if (!has_eoi) return Status::InvalidArgument("truncated JPEG file (no end-of-image marker)");
      return info;
    }
    i += 2 + len;
  }
  return Truncated("JPEG");
}

Result<ImageInfo> ProbePng(std::span<const uint8_t> b) {
  if (b.size() < 33 || std::memcmp(&b[12], "IHDR", 4) != 0) return Truncated("PNG");
  ImageInfo info{"png", int(std::min<uint32_t>(Be32(&b[16]), INT32_MAX)), int(std::min<uint32_t>(Be32(&b[20]), INT32_MAX))};
  // A complete PNG ends with an IEND chunk (12 bytes).
  if (b.size() < 45 || std::memcmp(&b[b.size() - 8], "IEND", 4) != 0) {
    return Status::InvalidArgument("truncated PNG file (no IEND chunk)");
  }
  return info;
}

Result<ImageInfo> ProbeBmp(std::span<const uint8_t> b) {
  if (b.size() < 26) return Truncated("BMP");
  uint32_t header = Le32(&b[14]);
  ImageInfo info{"bmp", 0, 0};
  if (header == 12) {
    info.width = int(Le16(&b[18]));
    info.height = int(Le16(&b[20]));
  } else {
    info.width = int32_t(Le32(&b[18]));
    int32_t h = int32_t(Le32(&b[22]));
    info.height = h == INT32_MIN ? INT32_MAX : std::abs(h);
  }
  uint32_t data_offset = Le32(&b[10]);
  if (info.width <= 0 || data_offset > b.size()) return Truncated("BMP");
  return info;
}

Result<ImageInfo> ProbeWebp(std::span<const uint8_t> b) {
  if (b.size() < 30) return Truncated("WebP");
  ImageInfo info{"webp", 0, 0};
  if (std::memcmp(&b[12], "VP8X", 4) == 0) {
    info.width = int(Le24(&b[24]) + 1);
    info.height = int(Le24(&b[27]) + 1);
  } else if (std::memcmp(&b[12], "VP8L", 4) == 0) {
    uint32_t bits = Le32(&b[21]);
    info.width = int((bits & 0x3FFF) + 1);
    info.height = int(((bits >> 14) & 0x3FFF) + 1);
  } else if (std::memcmp(&b[12], "VP8 ", 4) == 0) {
    info.width = int(Le16(&b[26]) & 0x3FFF);
    info.height = int(Le16(&b[28]) & 0x3FFF);
  } else {
    return Truncated("WebP");
  }
  uint32_t riff_size = Le32(&b[4]);
  if (size_t(riff_size) + 8 > b.size()) return Status::InvalidArgument("truncated WebP file");
  return info;
}

Result<ImageInfo> ProbeTiff(std::span<const uint8_t> b) {
  bool le = b[0] == 'I';
  auto u16 = [&](size_t o) { return le ? Le16(&b[o]) : Be16(&b[o]); };
  auto u32 = [&](size_t o) { return le ? Le32(&b[o]) : Be32(&b[o]); };
  if (b.size() < 8) return Truncated("TIFF");
  size_t ifd = u32(4);
  if (ifd + 2 > b.size()) return Truncated("TIFF");
  uint32_t n = u16(ifd);
  ImageInfo info{"tiff", 0, 0};
  for (uint32_t k = 0; k < n; ++k) {
    size_t e = ifd + 2 + 12 * size_t(k);
    if (e + 12 > b.size()) return Truncated("TIFF");
    uint32_t tag = u16(e), type = u16(e + 2);
    uint32_t value = type == 3 ? u16(e + 8) : u32(e + 8);
    if (tag == 256) info.width = int(std::min<uint32_t>(value, INT32_MAX));
    if (tag == 257) info.height = int(std::min<uint32_t>(value, INT32_MAX));
  }
  if (info.width <= 0 || info.height <= 0) return Truncated("TIFF");
  return info;
}

}  // namespace

Result<ImageInfo> ProbeImage(std::span<const uint8_t> b) {
  if (b.empty()) return Status::InvalidArgument("empty file");
  if (StartsWith(b, "\xFF\xD8\xFF", 3)) return ProbeJpeg(b);
  if (StartsWith(b, "\x89PNG\r\n\x1A\n", 8)) return ProbePng(b);
  if (StartsWith(b, "BM", 2)) return ProbeBmp(b);
  if (StartsWith(b, "RIFF", 4) && b.size() >= 12 && std::memcmp(&b[8], "WEBP", 4) == 0) return ProbeWebp(b);
  if (StartsWith(b, "II*\0", 4) || StartsWith(b, "MM\0*", 4)) return ProbeTiff(b);
  return Status::InvalidArgument("not a supported image (JPEG, PNG, BMP, WebP or TIFF expected)");
}

Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  if (bytes.size() > options.max_bytes) {
    return Status::InvalidArgument("file too large: ", bytes.size(), " bytes (limit ", options.max_bytes, ")");
  }
  CUSTODIAN_ASSIGN_OR_RETURN(ImageInfo info, ProbeImage(bytes));
  if (info.width <= 0 || info.height <= 0) {
    return Status::InvalidArgument("invalid ", info.format, " dimensions ", info.width, "x", info.height);
  }
  if (info.width > options.max_dimension || info.height > options.max_dimension ||
      int64_t(info.width) * info.height > options.max_pixels) {
    return Status::InvalidArgument("image too large: ", info.width, "x", info.height, " (limit ",
                                   options.max_dimension, " px a side, ", options.max_pixels, " pixels)");
  }
  if (info.width < options.min_dimension || info.height < options.min_dimension) {
    return Status::InvalidArgument("image too small: ", info.width, "x", info.height, " (at least ",
                                   options.min_dimension, " px a side)");
  }
  cv::Mat decoded;
  try {
    cv::Mat raw(1, int(bytes.size()), CV_8UC1, const_cast<uint8_t*>(bytes.data()));
    decoded = cv::imdecode(raw, cv::IMREAD_COLOR);  // gray expanded, alpha dropped, 16-bit scaled
  } catch (const cv::Exception& e) {
    return Status::InvalidArgument("cannot decode ", info.format, ": ", e.what());
  }
  if (decoded.empty()) return Status::InvalidArgument("cannot decode ", info.format, " data (corrupt file)");
  if (decoded.cols != info.width || decoded.rows != info.height) {
    return Status::InvalidArgument("corrupt ", info.format, ": header says ", info.width, "x", info.height,
                                   ", data decodes to ", decoded.cols, "x", decoded.rows);
  }
  if (decoded.type() != CV_8UC3) {
    cv::Mat tmp;
    decoded.convertTo(tmp, CV_8U);
    decoded = tmp;
    if (decoded.channels() == 1) cv::cvtColor(decoded, decoded, cv::COLOR_GRAY2BGR);
    if (decoded.channels() == 4) cv::cvtColor(decoded, decoded, cv::COLOR_BGRA2BGR);
  }
  Image img;
  img.width = decoded.cols;
  img.height = decoded.rows;
  img.pixels.resize(size_t(img.width) * img.height * 3);
  cv::Mat dst(img.height, img.width, CV_8UC3, img.pixels.data());
  decoded.copyTo(dst);
  return img;
}

Result<Image> ReadImageFile(const std::string& path, const DecodeOptions& options) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return Status::NotFound("no such file");
  if (!std::filesystem::is_regular_file(status)) return Status::InvalidArgument("not a regular file");
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::Unavailable("cannot stat: ", ec.message());
  if (size > options.max_bytes) {
    return Status::InvalidArgument("file too large: ", size, " bytes (limit ", options.max_bytes, ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot open file");
  std::vector<uint8_t> bytes(size);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size))) {
    return Status::Unavailable("read error");
  }
  return DecodeImage(bytes, options);
}

Image FitImage(const Image& src, int w, int h) {
  cv::Mat in(src.height, src.width, CV_8UC3, const_cast<uint8_t*>(src.pixels.data()));
  const double s = std::max(double(w) / src.width, double(h) / src.height);
  cv::Mat scaled;
  cv::resize(in, scaled, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const cv::Rect roi((scaled.cols - w) / 2, (scaled.rows - h) / 2, w, h);
  Image out;
  out.width = w;
  out.height = h;
  out.pixels.resize(size_t(w) * h * 3);
  scaled(roi).copyTo(cv::Mat(h, w, CV_8UC3, out.pixels.data()));
  return out;
}

void SetImageLibraryThreads(int threads) { cv::setNumThreads(threads); }

}  // namespace custodian::vision
