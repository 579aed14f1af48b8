// Safe image decoding: the dimensions are read from the file header and checked
// before any pixel is decoded, so a decompression bomb costs nothing.
//
// Basic usage:
//   auto img = custodian::vision::DecodeImage(bytes, {});
//   if (!img.ok()) { std::cerr << img.status().ToString() << "\n"; return; }
//   Use(img->width, img->height, img->pixels.data());   // 8-bit BGR, packed rows
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "custodian/core/status.h"

namespace custodian::vision {

struct DecodeOptions {
  // Largest accepted width or height. Default: 16384.
  int max_dimension = 16384;
  // Largest accepted width*height. Default: 50 megapixels.
  int64_t max_pixels = 50'000'000;
  // Smallest accepted width or height; smaller images cannot hold a readable plate. Default: 16.
  int min_dimension = 16;
  // Largest accepted encoded size in bytes. Default: 64 MiB.
  size_t max_bytes = 64u << 20;
};

// What the header says, before decoding.
struct ImageInfo {
  std::string format;  // "jpeg", "png", "bmp", "webp", "tiff"
  int width = 0;
  int height = 0;
};

// An 8-bit, 3-channel BGR image with packed rows (stride = 3 * width).
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// A non-owning view of 8-bit BGR pixels. `stride` is bytes per row.
struct ImageView {
  int width = 0;
  int height = 0;
  int stride = 0;
  const uint8_t* data = nullptr;
};

inline ImageView View(const Image& img) { return {img.width, img.height, img.width * 3, img.pixels.data()}; }

// Reads the format and dimensions from the header. Fails with kInvalidArgument for
// empty data, unknown formats, and headers that are cut short or inconsistent.
Result<ImageInfo> ProbeImage(std::span<const uint8_t> bytes);

// Probes, checks the limits, then decodes to 8-bit BGR: grayscale is expanded, alpha
// dropped, 16-bit samples scaled down. Truncated files are refused, never half-decoded.
Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options);

// Reads a file (at most options.max_bytes) and decodes it. kNotFound if it is missing.
Result<Image> ReadImageFile(const std::string& path, const DecodeOptions& options);

// `src` scaled (area filter when shrinking, bilinear when growing) to cover w x h, then
// centre-cropped to exactly w x h. REQUIRES: src, w and h are not empty.
Image FitImage(const Image& src, int w, int h);

// The number of threads the image library's own parallel loops may use in this process (its
// default is every core); 1 keeps each call on its caller's thread, for callers that run an
// engine per thread or report single-core figures.
void SetImageLibraryThreads(int threads);

}  // namespace custodian::vision
