// clearctl token create | register: member API tokens. A member's token is
// created at the member's own node, which stores only its SHA-256 (a token
// is valid nowhere else); the operator's and the regulator's are created
// once and registered at every node. The token is printed to a file (mode
// 0600) or, without --out, to standard output once; it is never taken from
// the command line.

#include "services/cli/command.h"
#include "services/config/files.h"
#include "services/config/key_files.h"
#include "services/config/node_config.h"
#include "services/store/node_store.h"

#include <sodium.h>

#include <cstring>
#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl token create   --config node.json --member ID [--label TEXT] [--out FILE]\n"
    "       clearctl token register --config node.json --member ID --token-file FILE [--label TEXT]\n"
    "\n"
    "create: a new random API token for member ID at this node (the member's own node,\n"
    "  or any node for the OPERATOR and REGULATOR). Only its SHA-256 is stored in the\n"
    "  node's database. The token goes to FILE (0600) or, without --out, to stdout once.\n"
    "register: stores the SHA-256 of an existing token (read from FILE) at this node:\n"
    "  how the operator's and the regulator's tokens reach every node.\n";

constexpr std::size_t kTokenBytes = 32;

std::string new_token() {
  std::array<unsigned char, kTokenBytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return "qc_" + out;
}

settlement::Digest sha256_of(const std::string& token) {
  settlement::Digest d{};
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return d;
}

int store_token(const std::string& verb, const Args& args, const std::string& token) {
  const auto config_path = args.value("config");
  const auto member = args.value("member");
  const auto loaded = config::load_node_config(*config_path);
  if (const auto* e = std::get_if<config::ConfigError>(&loaded)) {
    std::cerr << "clearctl token " << verb << ": " << e->what() << "\n";
    return kExitFailed;
  }
  const config::NodeConfig& node = std::get<config::NodeConfig>(loaded);
  const auto genesis = config::load_genesis(node.genesis);
  if (const auto* e = std::get_if<config::ConfigError>(&genesis)) {
    std::cerr << "clearctl token " << verb << ": " << e->what() << "\n";
    return kExitFailed;
  }
  const config::NetworkGenesis& g = std::get<config::NetworkGenesis>(genesis);
  const auto reference = settlement::ReferenceData::load(g.ledger);
  const auto id = settlement::MemberId::from(*member);
  const auto& ref = std::get<settlement::ReferenceData>(reference);
  const std::optional<settlement::MemberIndex> index = id ? ref.find_member(*id) : std::nullopt;
  if (!index) {
    std::cerr << "clearctl token " << verb << ": --member: " << *member << " is not a member in genesis\n";
    return kExitFailed;
  }
  const settlement::MemberInfo& info = ref.member(*index);
  const bool everywhere = info.role == settlement::Role::kOperator || info.role == settlement::Role::kRegulator;
  if (!everywhere && info.node != node.node_id) {
    std::cerr << "clearctl token " << verb << ": --member: " << *member << " runs node "
              << (info.node ? std::to_string(*info.node) : std::string("none")) << ", not node " << node.node_id
              << "; its tokens are made at its own node\n";
    return kExitFailed;
  }
  try {
    store::NodeStore db(node.database);
    db.migrate();
    db.init_network(ref, g.network_id, node.node_id);
    db.insert_token(*member, sha256_of(token), args.value("label").value_or(""));
  } catch (const std::exception& e) {
    std::cerr << "clearctl token " << verb << ": database: " << e.what() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

int run_create(const Args& args) {
  const std::string token = new_token();
  if (const auto out = args.value("out")) {
    if (auto e = config::write_secret_file(*out, token + "\n")) {
      std::cerr << "clearctl token create: " << e->what() << "\n";
      return kExitFailed;
    }
  }
  if (const int status = store_token("create", args, token); status != kExitOk) return status;
  if (!args.value("out")) std::cout << token << "\n";
  return kExitOk;
}

int run_register(const Args& args) {
  const auto file = args.value("token-file");
  const auto text = config::read_secret_file(*file);
  if (const auto* e = std::get_if<config::ConfigError>(&text)) {
    std::cerr << "clearctl token register: " << e->what() << "\n";
    return kExitFailed;
  }
  std::string token = std::get<std::string>(text);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) {
    std::cerr << "clearctl token register: " << *file << ": empty token\n";
    return kExitFailed;
  }
  return store_token("register", args, token);
}

int run(const Args& args) {
  const Command command = token_command();
  const auto verb = args.value("verb");
  if (!args.value("config") || !args.value("member")) return usage_error(command, "--config and --member are required");
  if (verb == "create") return run_create(args);
  if (verb == "register") {
    if (!args.value("token-file")) return usage_error(command, "register needs --token-file");
    return run_register(args);
  }
  return usage_error(command, "say create or register");
}

}  // namespace

Command token_command() {
  return Command{"token", "member API tokens: create at a member's node, register elsewhere", kUsage,
                 {{"verb"}, {"config"}, {"member"}, {"label"}, {"out"}, {"token-file"}}, run, "verb"};
}

}  // namespace quorumclear::cli
