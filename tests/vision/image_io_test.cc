#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "custodian/vision/image.h"

namespace custodian::vision {
namespace {

std::vector<uint8_t> Encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(cv::imencode(ext, m, out));
  return out;
}

cv::Mat Pattern(int w, int h, int type) {
  cv::Mat m(h, w, type);
  cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(type == CV_16UC1 ? 65535 : 255));
  return m;
}

void PutBe32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = uint8_t(v >> 24);
  b[at + 1] = uint8_t(v >> 16);
  b[at + 2] = uint8_t(v >> 8);
  b[at + 3] = uint8_t(v);
}

// FitImage covers the frame, then keeps its centre: a 200 x 100 image, left half blue and
// right half red, fitted to 50 x 50 is scaled to 100 x 50 and cropped to its middle, half
// blue and half red.
TEST(ImageIo, FitImageScalesToCoverThenCropsTheCentre) {
  Image src;
  src.width = 200;
  src.height = 100;
  src.pixels.resize(size_t(src.width) * src.height * 3);
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) {
      uint8_t* p = &src.pixels[(size_t(y) * src.width + x) * 3];
      p[0] = x < 100 ? 255 : 0;  // B
      p[2] = x < 100 ? 0 : 255;  // R
    }
  }
  const Image out = FitImage(src, 50, 50);
  ASSERT_EQ(out.width, 50);
  ASSERT_EQ(out.height, 50);
  ASSERT_EQ(out.pixels.size(), size_t(50) * 50 * 3);
  const uint8_t* left = &out.pixels[(size_t(25) * 50 + 5) * 3];
  const uint8_t* right = &out.pixels[(size_t(25) * 50 + 44) * 3];
  EXPECT_GT(left[0], 200);
  EXPECT_LT(left[2], 50);
  EXPECT_GT(right[2], 200);
  EXPECT_LT(right[0], 50);
  // Growing: a 10 x 10 image to 40 x 20 covers it (scale 4) and crops rows.
  Image small;
  small.width = small.height = 10;
  small.pixels.assign(size_t(10) * 10 * 3, 128);
  const Image grown = FitImage(small, 40, 20);
  EXPECT_EQ(grown.width, 40);
  EXPECT_EQ(grown.height, 20);
  EXPECT_EQ(grown.pixels[(size_t(10) * 40 + 20) * 3], 128);
}

TEST(ImageIo, DecodesColourJpegToBgr) {
  auto bytes = Encode(Pattern(64, 48, CV_8UC3), ".jpg");
  auto img = DecodeImage(bytes, {});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->width, 64);
  EXPECT_EQ(img->height, 48);
  EXPECT_EQ(img->pixels.size(), 64u * 48u * 3u);
}

TEST(ImageIo, ExpandsGrayscaleToThreeChannels) {
  cv::Mat gray(40, 50, CV_8UC1, cv::Scalar(77));
  auto img = DecodeImage(Encode(gray, ".png"), {});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels[0], 77);
  EXPECT_EQ(img->pixels[1], 77);
  EXPECT_EQ(img->pixels[2], 77);
}

TEST(ImageIo, ScalesSixteenBitSamplesToEightBit) {
  cv::Mat deep(32, 32, CV_16UC1, cv::Scalar(65535));
  auto img = DecodeImage(Encode(deep, ".png"), {});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels[0], 255);
}

TEST(ImageIo, DropsAlphaChannel) {
  cv::Mat rgba(32, 32, CV_8UC4, cv::Scalar(10, 20, 30, 0));
  auto img = DecodeImage(Encode(rgba, ".png"), {});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels.size(), 32u * 32u * 3u);
  EXPECT_EQ(img->pixels[0], 10);
  EXPECT_EQ(img->pixels[2], 30);
}

TEST(ImageIo, RefusesEmptyData) {
  auto img = DecodeImage({}, {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().message(), "empty file");
}

TEST(ImageIo, RefusesNonImageData) {
  std::string text = "this is not an image, just text";
  auto img = DecodeImage(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(img.status().message().find("not a supported image"), std::string::npos);
}

TEST(ImageIo, RefusesTruncatedJpeg) {
  auto bytes = Encode(Pattern(200, 100, CV_8UC3), ".jpg");
  bytes.resize(bytes.size() / 2);
  auto img = DecodeImage(bytes, {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.status().message().find("truncated"), std::string::npos) << img.status().message();
}

TEST(ImageIo, RefusesTruncatedPng) {
  auto bytes = Encode(Pattern(200, 100, CV_8UC3), ".png");
  bytes.resize(bytes.size() - 20);
  auto img = DecodeImage(bytes, {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.status().message().find("truncated"), std::string::npos) << img.status().message();
}

TEST(ImageIo, RefusesOnePixelImage) {
  auto img = DecodeImage(Encode(cv::Mat(1, 1, CV_8UC3, cv::Scalar(1, 2, 3)), ".png"), {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.status().message().find("image too small: 1x1"), std::string::npos);
}

TEST(ImageIo, RefusesDecompressionBombFromHeaderAlone) {
  // A small PNG whose header claims 30000x30000: refused before any pixel is decoded.
  auto bytes = Encode(Pattern(16, 16, CV_8UC3), ".png");
  PutBe32(bytes, 16, 30000);
  PutBe32(bytes, 20, 30000);
  auto info = ProbeImage(bytes);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->width, 30000);
  auto img = DecodeImage(bytes, {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.status().message().find("image too large: 30000x30000"), std::string::npos);
}

TEST(ImageIo, RefusesHugeJpegByHeader) {
  auto bytes = Encode(Pattern(64, 64, CV_8UC3), ".jpg");
  // Patch the SOF0 frame header's height and width.
  for (size_t i = 2; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
      bytes[i + 5] = 0x75; bytes[i + 6] = 0x30;  // 30000
      bytes[i + 7] = 0x75; bytes[i + 8] = 0x30;
      break;
    }
  }
  auto img = DecodeImage(bytes, {});
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.status().message().find("30000x30000"), std::string::npos) << img.status().message();
}

TEST(ImageIo, HeaderThatLiesAboutSizeIsCorrupt) {
  auto bytes = Encode(Pattern(64, 48, CV_8UC3), ".png");
  PutBe32(bytes, 16, 65);  // width 65: decoder fails the CRC or decodes 64
  auto img = DecodeImage(bytes, {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kInvalidArgument);
}

TEST(ImageIo, MissingFileIsNotFound) {
  auto img = ReadImageFile("/nonexistent/car.jpg", {});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace custodian::vision
