// Password rules, the banned list and Argon2id hashing, without a database.
#include "custodian/policy/password.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace custodian::policy {
namespace {

namespace fs = std::filesystem;

// The list the project ships; tests run with the repository root as working directory.
const fs::path kShippedList = "policy/banned-passwords.txt";

// Named per process: ctest runs each test as a process of its own, two at a time, and a
// shared name let one test read the file while another was rewriting it.
fs::path WriteTemp(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path;
}

BannedPasswords SmallList() {
  auto list = BannedPasswords::Load(
      WriteTemp("custodian_banned_small.txt", "# comment line\n\n  Password1  \r\nletmein\n#hash\n"));
  EXPECT_TRUE(list.ok()) << list.status().ToString();
  return std::move(list).value();
}

TEST(BannedPasswords, SkipsCommentsAndBlankLinesAndComparesTrimmedIgnoringCase) {
  const BannedPasswords list = SmallList();
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(list.Contains("password1"));
  EXPECT_TRUE(list.Contains("PASSWORD1"));
  EXPECT_TRUE(list.Contains(" LetMeIn\t"));
  EXPECT_FALSE(list.Contains("# comment line"));
  EXPECT_FALSE(list.Contains("#hash"));
  EXPECT_FALSE(list.Contains("password"));
}

TEST(BannedPasswords, ParsesTextFromMemoryTheSameWay) {
  auto list = BannedPasswords::Parse("# builtin\nHunter2\r\n\n  letmein  ", "builtin");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(list->Contains("HUNTER2"));
  EXPECT_TRUE(list->Contains("letmein"));
  auto empty = BannedPasswords::Parse("# only a comment\n", "builtin");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("builtin"), std::string::npos);
}

TEST(BannedPasswords, MissingFileIsNotFoundNamingThePath) {
  auto list = BannedPasswords::Load("/nonexistent/custodian/banned.txt");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kNotFound);
  EXPECT_NE(list.status().message().find("/nonexistent/custodian/banned.txt"), std::string::npos);
}

TEST(BannedPasswords, UnreadablePathIsAnError) {
  // A directory exists but cannot be read as a list.
  auto list = BannedPasswords::Load(fs::temp_directory_path());
  EXPECT_FALSE(list.ok());
}

TEST(BannedPasswords, FileWithOnlyCommentsIsRefused) {
  auto list = BannedPasswords::Load(WriteTemp("custodian_banned_empty.txt", "# nothing\n\n"));
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
}

TEST(BannedPasswords, ShippedListLoadsAndHoldsCommonPasswords) {
  auto list = BannedPasswords::Load(kShippedList);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_GE(list->size(), 1000u);
  for (const char* pw : {"123456", "password", "qwerty", "iloveyou", "letmein", "Password1",
                         "P@ssw0rd", "welcome1", "summer2024", "police123", "custodian"}) {
    EXPECT_TRUE(list->Contains(pw)) << pw;
  }
  EXPECT_FALSE(list->Contains("correct horse battery staple volcano"));
}

TEST(CheckNewPassword, AcceptsLongPassphraseWithoutCompositionRules) {
  EXPECT_TRUE(CheckNewPassword("correct horse battery staple", {}, SmallList(), "jdoe").ok());
  EXPECT_TRUE(CheckNewPassword("alllowercaseletters", {}, SmallList(), "jdoe").ok());
}

TEST(CheckNewPassword, LengthIsCountedInCharactersAtBothBounds) {
  const BannedPasswords none;
  EXPECT_TRUE(CheckNewPassword("abcdefgh", {}, none, "").ok());
  Status short_pw = CheckNewPassword("abcdefg", {}, none, "");
  EXPECT_EQ(short_pw.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_pw.message().find("at least 8"), std::string::npos) << short_pw.message();
  // Eight two-byte characters are eight characters, not sixteen.
  EXPECT_TRUE(CheckNewPassword("éééééééé", {}, none, "").ok());
  EXPECT_FALSE(CheckNewPassword("ééééééé", {}, none, "").ok());
  EXPECT_TRUE(CheckNewPassword(std::string(128, 'x'), {}, none, "").ok());
  Status long_pw = CheckNewPassword(std::string(129, 'x'), {}, none, "");
  EXPECT_EQ(long_pw.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(long_pw.message().find("at most 128"), std::string::npos) << long_pw.message();
  EXPECT_TRUE(CheckNewPassword("abcd", {.min_length = 4, .max_length = 4}, none, "").ok());
}

TEST(CheckNewPassword, AllowsSpacesSymbolsAndUnicode) {
  const BannedPasswords none;
  EXPECT_TRUE(CheckNewPassword("  ~!@#$%^&*()_+ {}  ", {}, none, "").ok());
  EXPECT_TRUE(CheckNewPassword("пароль-очень-длинный", {}, none, "").ok());
  EXPECT_TRUE(CheckNewPassword("密码是很长的一句话", {}, none, "").ok());
  EXPECT_TRUE(CheckNewPassword("emoji 🚓🚓🚓 ok", {}, none, "").ok());
}

TEST(CheckNewPassword, RefusesControlCharactersAndInvalidUtf8) {
  const BannedPasswords none;
  for (const std::string& pw :
       {std::string("abc\tdefgh"), std::string("abcdefgh\n"), std::string("abc\x7f" "defgh"),
        std::string("abcd\0efgh", 9), std::string("abcdefgh\xc2\x85"),  // U+0085 (C1 control)
        std::string("abcdefgh\xff"), std::string("abcdefgh\xc3"),        // bad byte, truncated
        std::string("abcdefgh\xc0\xaf"),                                 // overlong '/'
        std::string("abcdefgh\xed\xa0\x80"),                             // surrogate U+D800
        std::string("abcdefgh\xf4\x90\x80\x80")}) {                      // past U+10FFFF
    Status s = CheckNewPassword(pw, {}, none, "");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << testing::PrintToString(pw);
  }
}

TEST(CheckNewPassword, RefusesBannedPasswordIgnoringCaseWithoutEchoingIt) {
  Status s = CheckNewPassword("PASSWORD1", {}, SmallList(), "jdoe");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("common or breached"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("PASSWORD1"), std::string::npos);
  EXPECT_EQ(s.message().find("password1"), std::string::npos);
}

TEST(CheckNewPassword, RefusesTheUsernameIgnoringCase) {
  Status s = CheckNewPassword("Officer.Jones", {}, BannedPasswords(), "officer.jones");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("username"), std::string::npos);
  EXPECT_EQ(s.message().find("Jones"), std::string::npos);
  EXPECT_TRUE(CheckNewPassword("Officer.Jones2", {}, BannedPasswords(), "officer.jones").ok());
}

TEST(CheckNewPassword, NoMessageEchoesThePassword) {
  const std::string pw = "secretXYZ\x01";
  EXPECT_EQ(CheckNewPassword(pw, {}, BannedPasswords(), "").message().find("secretXYZ"),
            std::string::npos);
  EXPECT_EQ(CheckNewPassword("sXYZ", {}, BannedPasswords(), "").message().find("sXYZ"),
            std::string::npos);
}

TEST(PasswordHash, IsArgon2idSaltedAndVerifies) {
  auto h1 = HashPassword("correct horse battery staple");
  auto h2 = HashPassword("correct horse battery staple");
  ASSERT_TRUE(h1.ok()) << h1.status().ToString();
  ASSERT_TRUE(h2.ok()) << h2.status().ToString();
  EXPECT_EQ(h1->rfind("$argon2id$", 0), 0u) << *h1;
  EXPECT_NE(*h1, *h2);  // a fresh random salt each time
  EXPECT_TRUE(VerifyPassword(*h1, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*h1, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword(*h1, ""));
}

TEST(PasswordHash, MalformedHashNeverVerifies) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("not a hash", "not a hash"));
  EXPECT_FALSE(VerifyPassword(std::string(1000, '$'), "x"));
  EXPECT_FALSE(VerifyPassword(std::string("$argon2id$\0", 11), "x"));
}

}  // namespace
}  // namespace custodian::policy
