// Proves a log line carries time, level, node, component and event, that
// values cannot break out of their field or line, and that levels filter.

#include "services/log/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace quorumclear::log {
namespace {

std::string written(Level logger_level, Level level, std::initializer_list<Field> fields) {
  std::FILE* f = std::tmpfile();
  Logger logger("3", logger_level, f);
  logger.write(level, "core", "EPOCH_APPLIED", fields);
  std::rewind(f);
  std::string out(4096, '\0');
  out.resize(std::fread(out.data(), 1, out.size(), f));
  std::fclose(f);
  return out;
}

TEST(Log, OneLineWithEveryNamedPartAndEscapedValues) {
  const std::string line = written(Level::kInfo, Level::kWarn,
                                   {{"epoch", "5"}, {"detail", "a \"b\"\nc=d"}, {"empty", ""}});
  EXPECT_NE(line.find(" WARN node=3 component=core event=EPOCH_APPLIED epoch=5 "), std::string::npos) << line;
  EXPECT_NE(line.find(R"(detail="a \"b\"\nc=d")"), std::string::npos) << line;
  EXPECT_NE(line.find("empty=\"\""), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  EXPECT_EQ(line[4], '-');
  EXPECT_EQ(line.find('Z'), 23u);
}

TEST(Log, LevelsFilterAndParse) {
  EXPECT_TRUE(written(Level::kWarn, Level::kInfo, {}).empty());
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_FALSE(parse_level("loud").has_value());
  std::string v;
  append_value(v, std::string(2'000, 'x'));
  EXPECT_EQ(v.size(), 512u);
}

}  // namespace
}  // namespace quorumclear::log
