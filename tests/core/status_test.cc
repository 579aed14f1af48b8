#include "custodian/core/status.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd value ", v);
  return v / 2;
}

Result<int> Quarter(int v) {
  CUSTODIAN_ASSIGN_OR_RETURN(int h, Half(v));
  return Half(h);
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeAndFormattedMessage) {
  Status s = Status::NotFound("file ", 3, " missing");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: file 3 missing");
}

TEST(Result, HoldsValueOrStatus) {
  auto ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  auto bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "odd value 3");
}

TEST(Result, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);  // 6 -> 3 -> odd
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd value 3");
}

TEST(Result, BuiltFromOkStatusBecomesInternalErrorInRelease) {
#ifdef NDEBUG
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
#else
  GTEST_SKIP() << "asserts in debug builds";
#endif
}

}  // namespace
}  // namespace custodian
