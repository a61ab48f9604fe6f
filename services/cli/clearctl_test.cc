// Runs the clearctl binary end to end in a temporary directory: deal and
// genesis produce files a node loads; --help, bad arguments and refused
// inputs give the documented exit codes (0, 2, 1) and messages.

#include "services/config/genesis.h"
#include "services/config/hex.h"
#include "services/config/key_files.h"
#include "services/config/test_network.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>

namespace quorumclear::config {
namespace {

using testing::TempDir;

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (const char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Outcome clearctl(const std::vector<std::string>& args) {
  std::string command = quoted(QC_CLEARCTL);
  for (const auto& a : args) command += " " + quoted(a);
  command += " 2>&1";
  Outcome run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, got);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Clearctl, DealThenGenesisGivesAGenesisNodesLoad) {
  const TempDir dir;
  // The node public files as keygen writes them (the sample's); the dealing by the binary.
  const auto sample = testing::make_sample_network(dir.path() / "sample", 4, 31);
  const auto dealing = dir.path() / "dealing";
  const Outcome deal = clearctl({"deal", "--nodes", "4", "--out", dealing.string()});
  ASSERT_EQ(deal.exit_code, 0) << deal.output;
  EXPECT_TRUE(contains(deal.output, "coin-share-3.key")) << deal.output;
  for (int i = 0; i < 4; ++i) {
    struct stat st {};
    ASSERT_EQ(::stat((dealing / ("coin-share-" + std::to_string(i) + ".key")).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }

  std::vector<std::string> args = {"genesis", "--network", sample.network.string()};
  for (auto it = sample.node_files.rbegin(); it != sample.node_files.rend(); ++it) {
    args.insert(args.end(), {"--node", it->string()});
  }
  const auto out = dir.path() / "genesis.json";
  args.insert(args.end(), {"--coin", (dealing / "coin-public-shares.json").string(), "--out", out.string()});
  const Outcome genesis = clearctl(args);
  ASSERT_EQ(genesis.exit_code, 0) << genesis.output;
  const auto loaded = load_genesis(out);
  ASSERT_TRUE(std::holds_alternative<NetworkGenesis>(loaded)) << std::get<ConfigError>(loaded).what();
  const NetworkGenesis& g = std::get<NetworkGenesis>(loaded);
  EXPECT_TRUE(contains(genesis.output, "network id " + to_hex(g.network_id))) << genesis.output;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto x = read_coin_share(dealing / ("coin-share-" + std::to_string(i) + ".key"));
    ASSERT_TRUE(std::holds_alternative<quorum::ScalarBytes>(x));
    EXPECT_TRUE(
        quorum::secret_matches_public(std::get<quorum::ScalarBytes>(x), g.nodes[i].coin_public_share));
  }

  const Outcome again = clearctl(args);
  EXPECT_EQ(again.exit_code, 1) << "an existing genesis is not replaced";
  EXPECT_TRUE(contains(again.output, "refusing to overwrite")) << again.output;
  args.push_back("--force");
  EXPECT_EQ(clearctl(args).exit_code, 0);
  const Outcome redeal = clearctl({"deal", "--nodes", "4", "--out", dealing.string()});
  EXPECT_EQ(redeal.exit_code, 1) << "a dealing is never overwritten";
}

TEST(Clearctl, RefusedGenesisNamesFileAndFieldAndWritesNothing) {
  const TempDir dir;
  const auto sample = testing::make_sample_network(dir.path(), 4, 32);
  std::string network = testing::read_text(sample.network);
  network.replace(network.find("\"role\": \"REGULATOR\""), 19, "\"role\": \"AUDITOR\"");
  testing::write_text(sample.network, network);
  const auto out = dir.path() / "genesis.json";
  std::vector<std::string> args = {"genesis", "--network", sample.network.string()};
  for (const auto& f : sample.node_files) args.insert(args.end(), {"--node", f.string()});
  args.insert(args.end(), {"--coin", sample.coin_shares.string(), "--out", out.string()});
  const Outcome run = clearctl(args);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(contains(run.output, sample.network.string() + ": members[5].role: must be")) << run.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Clearctl, UsageOnHelpAndOnBadArguments) {
  const Outcome help = clearctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.output, "deal") && contains(help.output, "genesis")) << help.output;
  const Outcome deal_help = clearctl({"deal", "--help"});
  EXPECT_EQ(deal_help.exit_code, 0);
  EXPECT_TRUE(contains(deal_help.output, "predict")) << "the dealer's trust is documented";
  EXPECT_EQ(clearctl({}).exit_code, 2);
  EXPECT_EQ(clearctl({"frobnicate"}).exit_code, 2);
  const TempDir dir;
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"deal"},
           {"deal", "--nodes", "4"},
           {"deal", "--nodes", "3", "--out", dir.path().string()},
           {"deal", "--nodes", "32", "--out", dir.path().string()},
           {"deal", "--nodes", "four", "--out", dir.path().string()},
           {"deal", "--nodes", "4", "--nodes", "5", "--out", dir.path().string()},
           {"deal", "--nodes", "4", "--out"},
           {"deal", "--nodes", "4", "--out", dir.path().string(), "extra"},
           {"deal", "--colour", "blue"},
           {"genesis", "--network", "n.json"},
       }) {
    const Outcome run = clearctl(bad);
    EXPECT_EQ(run.exit_code, 2) << bad.size() << ": " << run.output;
    EXPECT_TRUE(contains(run.output, "usage: clearctl")) << run.output;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "nothing dealt on a usage error";
}

}  // namespace
}  // namespace quorumclear::config
