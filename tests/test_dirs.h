// Folders for tests: a fresh, empty one per running test, named after it and the process
// so that parallel test processes (ctest -j) never share one.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace custodian {

// <temp>/<prefix>_<pid>_<test name>, emptied and created. The caller removes it (TearDown).
inline std::filesystem::path FreshTestDir(std::string_view prefix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" +
                               (test != nullptr ? test->name() : "none"));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace custodian
