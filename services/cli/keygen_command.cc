// clearctl keygen: a node's own keys, made on its own host. Private keys
// never leave it: tls.key and signing.key are written 0600 and nothing but
// their public halves goes into node-<id>.public.json, the file that
// travels to whoever assembles genesis.

#include "services/cli/command.h"
#include "services/config/files.h"
#include "services/config/key_files.h"
#include "services/config/public_files.h"
#include "services/net/tls_identity.h"

#include <charconv>
#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl keygen --dir DIR --node-id ID [--host NAME]...\n"
    "\n"
    "Makes this node's keys in DIR (created if missing), on the node's own host:\n"
    "  tls.key, tls.crt      its TLS identity (ECDSA P-256, self-signed, subject\n"
    "                        CN=quorumclear-node-ID, SANs from --host, default 127.0.0.1\n"
    "                        and localhost); peers pin its key, members' clients trust its\n"
    "                        certificate (clearctl --cacert takes one or a bundle of several);\n"
    "  signing.key           its Ed25519 key for epoch certificates;\n"
    "  node-ID.public.json   the public halves (TLS pin, signing key): send this file, and\n"
    "                        only this file, to whoever assembles genesis.\n"
    "The key files are mode 0600 and never overwritten.\n";

int run(const Args& args) {
  const Command command = keygen_command();
  const auto dir = args.value("dir");
  const auto id_text = args.value("node-id");
  if (!dir || !id_text) return usage_error(command, "--dir and --node-id are required");
  std::uint16_t id = 0;
  const auto [end, ec] = std::from_chars(id_text->data(), id_text->data() + id_text->size(), id);
  if (ec != std::errc() || end != id_text->data() + id_text->size() || id >= quorum::kNetworkSizeMax) {
    return usage_error(command, "--node-id must be 0.." + std::to_string(quorum::kNetworkSizeMax - 1));
  }
  std::vector<std::string> hosts = args.values("host");
  if (hosts.empty()) hosts = {"127.0.0.1", "localhost"};
  std::error_code error;
  std::filesystem::create_directories(*dir, error);
  if (error) {
    std::cerr << "clearctl keygen: " << *dir << ": " << error.message() << "\n";
    return kExitFailed;
  }
  const std::filesystem::path base(*dir);
  // A subject of its own per node: a client's --cacert bundle of several
  // nodes' certificates verifies only with distinct subjects (tls_identity.h).
  const net::TlsIdentity tls = net::generate_tls_identity(hosts, 3650, "quorumclear-node-" + std::to_string(id));
  const auto fail = [](const config::ConfigError& e) {
    std::cerr << "clearctl keygen: " << e.what() << "\n";
    return kExitFailed;
  };
  if (auto e = config::write_secret_file(base / "tls.key", tls.key_pem)) return fail(*e);
  if (auto e = config::write_file_atomically(base / "tls.crt", tls.cert_pem, 0644, config::Overwrite::kRefuse)) {
    return fail(*e);
  }
  const auto signing = config::write_signing_key(base);
  if (const auto* e = std::get_if<config::ConfigError>(&signing)) return fail(*e);
  const config::NodePublicFile pub{id, tls.pin, std::get<quorum::SigningPublicKey>(signing)};
  const std::string name = "node-" + std::to_string(id) + ".public.json";
  if (auto e = config::write_file_atomically(base / name, config::node_public_json(pub), 0644,
                                             config::Overwrite::kRefuse)) {
    return fail(*e);
  }
  std::cout << "keys for node " << id << " in " << *dir << ": tls.key, signing.key (0600, stay here), tls.crt,\n"
            << "  " << name << " (public: send it for genesis); TLS pin " << net::to_hex(tls.pin) << "\n";
  return kExitOk;
}

}  // namespace

Command keygen_command() {
  return Command{"keygen", "a node's own TLS and signing keys, made on its host", kUsage,
                 {{"dir"}, {"node-id"}, {"host", true, true}}, run};
}

}  // namespace quorumclear::cli
