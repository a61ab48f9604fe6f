// Proves the set-up steps clearctl runs: the dealing writes one 0600 share
// per node that matches its public share and refuses to overwrite a
// dealing; genesis assembles the public files in any order into the same
// bytes, and refuses (writing nothing) mismatched or invalid inputs.

#include "services/config/setup.h"
#include "services/config/genesis.h"
#include "services/config/key_files.h"
#include "services/config/test_network.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

namespace quorumclear::config {
namespace {

using testing::make_sample_network;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

TEST(Dealing, WritesASecretPerNodeMatchingItsPublicShare) {
  const TempDir dir;
  const auto out = dir.path() / "dealing";
  const auto dealt = deal_coin_files(7, out, quorum::sim::seeded_random(5));
  ASSERT_TRUE(std::holds_alternative<CoinPublicShares>(dealt)) << std::get<ConfigError>(dealt).what();
  const auto& shares = std::get<CoinPublicShares>(dealt).public_shares;
  ASSERT_EQ(shares.size(), 7u);
  EXPECT_TRUE(quorum::public_shares_consistent(quorum::Membership(7), shares));
  for (std::size_t i = 0; i < 7; ++i) {
    const auto path = out / coin_share_file_name(i);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const auto x = read_coin_share(path);
    ASSERT_TRUE(std::holds_alternative<quorum::ScalarBytes>(x));
    EXPECT_TRUE(quorum::secret_matches_public(std::get<quorum::ScalarBytes>(x), shares[i]));
    EXPECT_FALSE(quorum::secret_matches_public(std::get<quorum::ScalarBytes>(x), shares[(i + 1) % 7]));
  }
  const auto reread = load_coin_public_shares(out / kCoinPublicSharesFile);
  ASSERT_TRUE(std::holds_alternative<CoinPublicShares>(reread));
  EXPECT_EQ(std::get<CoinPublicShares>(reread).public_shares, shares);
}

TEST(Dealing, RefusesToOverwriteADealingAndUnsupportedSizes) {
  const TempDir dir;
  ASSERT_TRUE(std::holds_alternative<CoinPublicShares>(
      deal_coin_files(4, dir.path(), quorum::sim::seeded_random(1))));
  const std::string before = read_text(dir.path() / kCoinPublicSharesFile);
  const auto again = deal_coin_files(4, dir.path(), quorum::sim::seeded_random(2));
  ASSERT_TRUE(std::holds_alternative<ConfigError>(again));
  EXPECT_NE(std::get<ConfigError>(again).message.find("refusing to overwrite"), std::string::npos);
  EXPECT_EQ(read_text(dir.path() / kCoinPublicSharesFile), before);
  // A larger dealing over the same directory writes nothing either.
  EXPECT_TRUE(
      std::holds_alternative<ConfigError>(deal_coin_files(5, dir.path(), quorum::sim::seeded_random(3))));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / coin_share_file_name(4)));
  for (const std::size_t n : {0u, 3u, 32u}) {
    EXPECT_TRUE(std::holds_alternative<ConfigError>(
        deal_coin_files(n, dir.path() / "x", quorum::sim::seeded_random(4))));
  }
}

TEST(Dealing, PublicSharesFileIsChecked) {
  const TempDir dir;
  const auto dealt =
      std::get<CoinPublicShares>(deal_coin_files(4, dir.path(), quorum::sim::seeded_random(1)));
  CoinPublicShares swapped = dealt;
  std::swap(swapped.public_shares[0], swapped.public_shares[3]);
  write_text(dir.path() / "swapped.json", coin_public_shares_json(swapped));
  const auto refused = load_coin_public_shares(dir.path() / "swapped.json");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(refused));
  EXPECT_EQ(std::get<ConfigError>(refused).field, "public_shares");
  CoinPublicShares three = dealt;
  three.public_shares.pop_back();
  write_text(dir.path() / "three.json", coin_public_shares_json(three));
  EXPECT_EQ(std::get<ConfigError>(load_coin_public_shares(dir.path() / "three.json")).field, "node_count");
}

TEST(Genesis, DealAndGenesisRoundTrip) {
  const TempDir dir;
  const auto sample = make_sample_network(dir.path(), 4, 21);
  GenesisInputs inputs{sample.network, sample.node_files, sample.coin_shares, dir.path() / "genesis.json"};
  const auto id = build_genesis(inputs);
  ASSERT_TRUE(std::holds_alternative<quorum::Digest>(id)) << std::get<ConfigError>(id).what();
  const auto genesis = load_genesis(inputs.out);
  ASSERT_TRUE(std::holds_alternative<NetworkGenesis>(genesis));
  const NetworkGenesis& g = std::get<NetworkGenesis>(genesis);
  EXPECT_EQ(g.network_id, std::get<quorum::Digest>(id));
  const auto coin = std::get<CoinPublicShares>(load_coin_public_shares(sample.coin_shares));
  EXPECT_EQ(g.coin_public_shares(), coin.public_shares);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto x =
        std::get<quorum::ScalarBytes>(read_coin_share(sample.dealing_dir / coin_share_file_name(i)));
    EXPECT_TRUE(quorum::secret_matches_public(x, g.nodes[i].coin_public_share));
    EXPECT_EQ(g.nodes[i].signing_key,
              std::get<NodePublicFile>(load_node_public(sample.node_files[i])).signing_key);
  }

  // The node files in another order give the same bytes; an existing
  // genesis is replaced only when asked.
  GenesisInputs reordered = inputs;
  std::reverse(reordered.node_files.begin(), reordered.node_files.end());
  EXPECT_TRUE(std::holds_alternative<ConfigError>(build_genesis(reordered))) << "exists";
  reordered.overwrite = Overwrite::kReplace;
  const auto again = build_genesis(reordered);
  ASSERT_TRUE(std::holds_alternative<quorum::Digest>(again));
  EXPECT_EQ(std::get<quorum::Digest>(again), std::get<quorum::Digest>(id));
}

TEST(Genesis, MismatchedInputsAreRefusedAndWriteNothing) {
  const TempDir dir;
  const auto sample = make_sample_network(dir.path(), 4, 22);
  const auto out = dir.path() / "genesis.json";
  const auto refused = [&](GenesisInputs inputs) {
    const auto result = build_genesis(inputs);
    EXPECT_FALSE(std::filesystem::exists(out));
    return std::holds_alternative<ConfigError>(result) ? std::get<ConfigError>(result) : ConfigError{};
  };

  auto twice = sample.node_files;
  twice[2] = twice[1];
  const ConfigError duplicate = refused({sample.network, twice, sample.coin_shares, out});
  EXPECT_EQ(duplicate.file, sample.node_files[1].string());
  EXPECT_EQ(duplicate.field, "node_id");

  auto three = sample.node_files;
  three.pop_back();
  const ConfigError too_few = refused({sample.network, three, sample.coin_shares, out});
  EXPECT_EQ(too_few.file, sample.coin_shares.string()) << too_few.what();

  const auto five = make_sample_network(dir.path() / "five", 5, 23);
  const ConfigError wrong_dealing = refused({sample.network, sample.node_files, five.coin_shares, out});
  EXPECT_EQ(wrong_dealing.field, "node_count") << wrong_dealing.what();

  std::string network = read_text(sample.network);
  network.replace(network.find("\"format\": 1,"), 12, "\"format\": 1, \"node_count\": 5,");
  write_text(dir.path() / "n5.json", network);
  const ConfigError count = refused({dir.path() / "n5.json", sample.node_files, sample.coin_shares, out});
  EXPECT_EQ(count.field, "node_count");
  EXPECT_EQ(count.file, (dir.path() / "n5.json").string());

  network = read_text(sample.network);
  network.replace(network.find("DE0007164600"), 12, "DE0007164601");
  write_text(dir.path() / "bad-isin.json", network);
  const ConfigError isin =
      refused({dir.path() / "bad-isin.json", sample.node_files, sample.coin_shares, out});
  EXPECT_EQ(isin.field, "instruments[2].isin") << isin.what();
  EXPECT_EQ(isin.file, out.string()) << "the assembled genesis is what was refused";
}

}  // namespace
}  // namespace quorumclear::config
