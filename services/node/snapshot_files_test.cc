// Snapshot files: what was written maps back byte for byte, only the newest
// two stay, and a missing, empty or foreign file is simply not there.
#include "services/node/snapshot_files.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace quorumclear::node {
namespace {
namespace fs = std::filesystem;

class SnapshotFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qc_snapshot_files_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static settlement::Bytes bytes_of(std::size_t n, std::uint8_t seed) {
    settlement::Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
    return b;
  }
  fs::path dir_;
};

TEST_F(SnapshotFilesTest, WhatWasWrittenMapsBackAndOnlyTheNewestTwoStay) {
  const SnapshotFiles files(dir_ / "snapshots");  // created on first write
  EXPECT_FALSE(files.map(15).has_value());
  const settlement::Bytes a = bytes_of(3 << 20, 1), b = bytes_of(100, 2), c = bytes_of(5'000, 3);
  ASSERT_EQ(files.write(15, a), std::nullopt);
  ASSERT_EQ(files.write(31, b), std::nullopt);
  ASSERT_EQ(files.write(47, c), std::nullopt);
  EXPECT_FALSE(files.map(15).has_value());
  const std::optional<MappedFile> newest = files.map(47);
  ASSERT_TRUE(newest.has_value());
  EXPECT_TRUE(std::equal(newest->bytes().begin(), newest->bytes().end(), c.begin(), c.end()));
  const std::optional<MappedFile> older = files.map(31);
  ASSERT_TRUE(older.has_value());
  EXPECT_TRUE(std::equal(older->bytes().begin(), older->bytes().end(), b.begin(), b.end()));
  // Rewriting an epoch replaces its file whole.
  ASSERT_EQ(files.write(47, a), std::nullopt);
  const std::optional<MappedFile> again = files.map(47);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->bytes().size(), a.size());
  // Only the files it writes count: anything else in the folder stays.
  std::ofstream(dir_ / "snapshots" / "notes.txt") << "kept";
  ASSERT_EQ(files.write(63, b), std::nullopt);
  EXPECT_TRUE(fs::exists(dir_ / "snapshots" / "notes.txt"));
  EXPECT_FALSE(files.map(31).has_value());
  EXPECT_TRUE(files.map(47).has_value());
}

TEST_F(SnapshotFilesTest, AnEmptyFileOrADirectoryIsNoSnapshot) {
  const SnapshotFiles files(dir_);
  ASSERT_EQ(files.write(1, bytes_of(10, 0)), std::nullopt);
  std::ofstream(dir_ / "00000000000000000003.qcsnap");  // empty
  EXPECT_FALSE(files.map(3).has_value());
  fs::create_directories(dir_ / "00000000000000000005.qcsnap");
  EXPECT_FALSE(files.map(5).has_value());
  EXPECT_TRUE(files.map(1).has_value());
}

TEST_F(SnapshotFilesTest, AFolderThatCannotBeMadeIsAnErrorNotACrash) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "a-file") << "x";
  const SnapshotFiles files(dir_ / "a-file" / "snapshots");
  const std::optional<std::string> error = files.write(1, bytes_of(10, 0));
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("a-file"), std::string::npos) << *error;
}

}  // namespace
}  // namespace quorumclear::node
