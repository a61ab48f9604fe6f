// Proves that secret key files are written 0600 whatever the umask and never
// replaced by accident, that a key file readable or writable by group or
// others is refused naming the file and its mode, that the key formats are
// strict, and that a node's keys must match its genesis entries.

#include "services/config/key_files.h"
#include "services/config/hex.h"
#include "services/config/test_network.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace quorumclear::config {
namespace {

using testing::read_text;
using testing::TempDir;
using testing::write_text;

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

/// Restores the umask it replaced.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(KeyFiles, SecretFilesAre0600AndNotReplacedUnlessAsked) {
  const TempDir dir;
  const auto path = dir.path() / "secret.key";
  {
    const Umask open_umask(0);  // a careless shell: files would be 0666
    ASSERT_EQ(write_secret_file(path, "one\n"), std::nullopt);
  }
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(read_text(path), "one\n");
  const auto refused = write_secret_file(path, "two\n");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->file, path.string());
  EXPECT_NE(refused->message.find("refusing to overwrite"), std::string::npos);
  EXPECT_EQ(read_text(path), "one\n");
  EXPECT_EQ(write_secret_file(path, "two\n", Overwrite::kReplace), std::nullopt);
  EXPECT_EQ(read_text(path), "two\n");
  EXPECT_EQ(mode_of(path), 0600u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(KeyFiles, ReadingRefusesModesOpenToGroupOrOthers) {
  const TempDir dir;
  const auto path = dir.path() / "signing.key";
  write_text(path, std::string(64, 'a') + "\n");
  for (const mode_t mode : {0644u, 0640u, 0604u, 0620u, 0602u, 0660u, 0777u}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    const auto read = read_secret_file(path);
    ASSERT_TRUE(std::holds_alternative<ConfigError>(read)) << std::oct << mode;
    const ConfigError& e = std::get<ConfigError>(read);
    EXPECT_EQ(e.file, path.string());
    char expected[8];
    std::snprintf(expected, sizeof expected, "%04o", mode);
    EXPECT_NE(e.message.find(std::string("mode ") + expected), std::string::npos) << e.what();
    EXPECT_TRUE(std::holds_alternative<ConfigError>(read_signing_key(path)));
  }
  for (const mode_t mode : {0600u, 0400u}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    EXPECT_TRUE(std::holds_alternative<std::string>(read_secret_file(path))) << std::oct << mode;
  }
  const auto directory = read_secret_file(dir.path());
  ASSERT_TRUE(std::holds_alternative<ConfigError>(directory));
  EXPECT_EQ(std::get<ConfigError>(directory).message, "not a regular file");
  EXPECT_TRUE(std::holds_alternative<ConfigError>(read_secret_file(dir.path() / "absent.key")));
}

TEST(KeyFiles, SigningKeyRoundTripsAndIsStrict) {
  const TempDir dir;
  const auto written = write_signing_key(dir.path());
  ASSERT_TRUE(std::holds_alternative<quorum::SigningPublicKey>(written));
  const auto path = dir.path() / kSigningKeyFile;
  EXPECT_EQ(mode_of(path), 0600u);
  const auto read = read_signing_key(path);
  ASSERT_TRUE(std::holds_alternative<SigningKey>(read));
  EXPECT_EQ(std::get<SigningKey>(read).public_key, std::get<quorum::SigningPublicKey>(written));
  EXPECT_TRUE(std::holds_alternative<ConfigError>(write_signing_key(dir.path()))) << "never replaces a key";
  EXPECT_EQ(std::get<SigningKey>(read_signing_key(path)).public_key,
            std::get<quorum::SigningPublicKey>(written));

  // A known seed gives libsodium's key pair; the newline is optional.
  std::array<std::uint8_t, 32> seed{};
  seed.fill(7);
  quorum::SigningPublicKey expected{};
  quorum::SigningSecretKey expected_secret{};
  crypto_sign_seed_keypair(expected.data(), expected_secret.data(), seed.data());
  const auto known = dir.path() / "known.key";
  ASSERT_EQ(write_secret_file(known, to_hex(seed)), std::nullopt);
  EXPECT_EQ(std::get<SigningKey>(read_signing_key(known)).secret, expected_secret);
  for (const std::string& bad : {to_hex(seed) + "\r\n", to_hex(seed) + "\n\n", std::string(64, 'A'),
                                 to_hex(seed).substr(2), " " + to_hex(seed), std::string()}) {
    ASSERT_EQ(write_secret_file(known, bad, Overwrite::kReplace), std::nullopt);
    const auto refused = read_signing_key(known);
    ASSERT_TRUE(std::holds_alternative<ConfigError>(refused)) << bad;
    EXPECT_NE(std::get<ConfigError>(refused).message.find("64 lower-case hex"), std::string::npos);
  }
}

TEST(KeyFiles, CoinShareMustBeACanonicalNonZeroScalar) {
  const TempDir dir;
  const auto path = dir.path() / "coin-share.key";
  ASSERT_EQ(write_secret_file(path, std::string(64, '0') + "\n"), std::nullopt);
  EXPECT_TRUE(std::holds_alternative<ConfigError>(read_coin_share(path))) << "zero";
  ASSERT_EQ(write_secret_file(path, std::string(64, 'f'), Overwrite::kReplace), std::nullopt);
  EXPECT_TRUE(std::holds_alternative<ConfigError>(read_coin_share(path))) << "not reduced";
  quorum::ScalarBytes five{};
  five[0] = 5;
  ASSERT_EQ(write_coin_share(dir.path() / "five.key", five), std::nullopt);
  EXPECT_EQ(std::get<quorum::ScalarBytes>(read_coin_share(dir.path() / "five.key")), five);
}

/// A node directory with keys written as keygen and the dealer leave them.
class NodeKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_ = testing::make_sample_network(dir_.path(), 4, 9);
    const auto built = build_genesis(
        {sample_.network, sample_.node_files, sample_.coin_shares, dir_.path() / "genesis.json"});
    ASSERT_TRUE(std::holds_alternative<quorum::Digest>(built)) << std::get<ConfigError>(built).what();
    genesis_ = std::get<NetworkGenesis>(load_genesis(dir_.path() / "genesis.json"));
    config_.file = dir_.path() / "node.json";
    config_.node_id = 1;
    config_.genesis = dir_.path() / "genesis.json";
    config_.keys.signing_key = dir_.path() / "signing.key";
    config_.keys.coin_share = sample_.dealing_dir / coin_share_file_name(1);
    ASSERT_EQ(write_secret_file(config_.keys.signing_key, to_hex(testing::signing_seed(9, 1))), std::nullopt);
  }

  TempDir dir_;
  testing::SampleNetwork sample_;
  NetworkGenesis genesis_;
  NodeConfig config_;
};

TEST_F(NodeKeys, MatchingKeysLoad) {
  const auto secrets = load_node_secrets(config_, genesis_);
  ASSERT_TRUE(std::holds_alternative<NodeSecrets>(secrets)) << std::get<ConfigError>(secrets).what();
  const NodeSecrets& s = std::get<NodeSecrets>(secrets);
  EXPECT_EQ(s.signing.public_key, genesis_.nodes[1].signing_key);
  EXPECT_EQ(s.coin.self.value, 1);
  EXPECT_EQ(s.coin.public_shares, genesis_.coin_public_shares());
  // Ready for the coin: the constructor asserts what the checks established.
  const quorum::ThresholdCoin coin(genesis_.membership(), s.coin);
  EXPECT_EQ(coin.members().n(), 4u);
}

TEST_F(NodeKeys, AnotherNodesCoinShareIsRefusedNamingTheFile) {
  config_.keys.coin_share = sample_.dealing_dir / coin_share_file_name(0);
  const auto secrets = load_node_secrets(config_, genesis_);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(secrets));
  const ConfigError& e = std::get<ConfigError>(secrets);
  EXPECT_EQ(e.file, config_.keys.coin_share.string());
  EXPECT_NE(e.message.find("coin_public_share of node 1"), std::string::npos) << e.what();
}

TEST_F(NodeKeys, AnotherSigningKeyIsRefusedNamingTheFile) {
  ASSERT_EQ(
      write_secret_file(config_.keys.signing_key, to_hex(testing::signing_seed(9, 2)), Overwrite::kReplace),
      std::nullopt);
  const auto secrets = load_node_secrets(config_, genesis_);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(secrets));
  EXPECT_EQ(std::get<ConfigError>(secrets).file, config_.keys.signing_key.string());
  config_.node_id = 2;  // the same key is right for node 2, with node 2's share
  config_.keys.coin_share = sample_.dealing_dir / coin_share_file_name(2);
  EXPECT_TRUE(std::holds_alternative<NodeSecrets>(load_node_secrets(config_, genesis_)));
}

TEST_F(NodeKeys, AKeyFileOpenToOthersStopsTheNode) {
  ASSERT_EQ(::chmod(config_.keys.coin_share.c_str(), 0644), 0);
  const auto secrets = load_node_secrets(config_, genesis_);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(secrets));
  EXPECT_NE(std::get<ConfigError>(secrets).what().find("coin-share-1.key: mode 0644"), std::string::npos);
}

}  // namespace
}  // namespace quorumclear::config
