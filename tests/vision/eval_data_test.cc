#include "eval_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace custodian::app {
namespace {

namespace fs = std::filesystem;

fs::path TempDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("custodian_eval_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(EvalData, ReadsSceneLabels) {
  auto dir = TempDir("scenes");
  std::ofstream(dir / "a.txt") << "a.jpg\t10\t20\t30\t15\tabc123\n";
  auto items = LoadLabelledFolder(dir.string());
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_TRUE((*items)[0].has_box);
  EXPECT_EQ((*items)[0].plate, "ABC123");
  EXPECT_FLOAT_EQ((*items)[0].w, 30);
  fs::remove_all(dir);
}

TEST(EvalData, ReadsCropLabelsWithImagesSubfolder) {
  auto dir = TempDir("crops");
  fs::create_directories(dir / "images");
  std::ofstream(dir / "images" / "x.jpg") << "x";
  std::ofstream(dir / "labels.csv") << "image,region,plate\nx.jpg,BR,ABC1234\n";
  auto items = LoadLabelledFolder(dir.string());
  ASSERT_TRUE(items.ok());
  EXPECT_FALSE((*items)[0].has_box);
  EXPECT_EQ((*items)[0].path, (dir / "images" / "x.jpg").string());
  EXPECT_EQ((*items)[0].region, "br");
  fs::remove_all(dir);
}

TEST(EvalData, BadLabelLineIsAnError) {
  auto dir = TempDir("bad");
  std::ofstream(dir / "a.txt") << "a.jpg\tten\t20\t30\t15\tABC\n";
  auto items = LoadLabelledFolder(dir.string());
  ASSERT_FALSE(items.ok());
  EXPECT_NE(items.status().message().find("not numbers"), std::string::npos);
  EXPECT_EQ(LoadLabelledFolder("/nonexistent").status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

TEST(EvalScore, IouAndEditDistance) {
  EXPECT_FLOAT_EQ(Iou(0, 0, 10, 10, 0, 0, 10, 10), 1.f);
  EXPECT_FLOAT_EQ(Iou(0, 0, 10, 10, 5, 0, 10, 10), 50.f / 150.f);
  EXPECT_FLOAT_EQ(Iou(0, 0, 10, 10, 20, 20, 5, 5), 0.f);
  EXPECT_EQ(EditDistance("ABC123", "ABC123"), 0);
  EXPECT_EQ(EditDistance("ABC123", "A8C123"), 1);
  EXPECT_EQ(EditDistance("", "ABC"), 3);
  EXPECT_EQ(EditDistance("ABCD", "ABC"), 1);
}

}  // namespace
}  // namespace custodian::app
