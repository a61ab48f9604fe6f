// clearctl proof verify: checks a member's obligation proof from a saved
// settlement-run answer with nothing but the genesis file, as a third
// party would: 2f+1 valid genesis-key signatures over the cut-off epoch's
// tuple, the two Merkle branches up to its obligations root, and that the
// instructions the answer shows for the member are exactly the proven ones.

#include "quorum/certificate.h"
#include "services/api/reply.h"
#include "services/api/text.h"
#include "services/cli/command.h"
#include "services/cli/genesis_input.h"
#include "services/cli/json_access.h"
#include "services/config/files.h"
#include "services/config/genesis.h"
#include "services/config/hex.h"
#include "settlement/obligation_proof.h"

#include <algorithm>
#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl proof verify --genesis FILE --run FILE\n"
    "\n"
    "Verifies the obligation proof in a settlement run as a clearing member's node\n"
    "serves it (GET /v1/settlement-runs/{date} with the member's token, or clearctl\n"
    "report --format json), using only the genesis file: that at least 2f+1 of the\n"
    "genesis nodes signed the cut-off epoch's tuple, that the proof's branches lead\n"
    "from the member's leaf to that tuple's obligations root, and that the\n"
    "instructions the run shows for the member are exactly those in the leaf. The\n"
    "proof shows nothing of other members' obligations. Exit 0 only when all hold.\n";

constexpr std::size_t kRunFileBytesMax = 64u << 20;

struct Failure {
  std::string what;
};

template <std::size_t N>
std::array<std::uint8_t, N> hex_field(const JsonValue& object, std::string_view key) {
  const auto bytes = config::from_hex<N>(field_text(object, key));
  if (!bytes) throw Failure{"proof.epoch." + std::string(key) + " is not " + std::to_string(N) + " bytes of hex"};
  return *bytes;
}

const JsonValue& object_at(const JsonValue& parent, std::string_view key, std::string_view path) {
  const JsonValue* v = find(parent, key);
  if (!v || v->type != JsonValue::Type::kObject) throw Failure{std::string(path) + " is missing"};
  return *v;
}

settlement::Bytes bytes_of_hex(const std::string& text) {
  if (text.size() % 2 != 0 || text.size() > 2 * settlement::kObligationProofBytesMax) {
    throw Failure{"proof.encoding is not hex of at most " + std::to_string(settlement::kObligationProofBytesMax) +
                  " bytes"};
  }
  settlement::Bytes out(text.size() / 2);
  if (!config::from_hex(text, out)) throw Failure{"proof.encoding is not hex"};
  return out;
}

// The tuple the epoch object names, and how many genesis nodes validly signed it.
std::pair<quorum::EpochTuple, std::size_t> signed_tuple(const JsonValue& epoch, const config::NetworkGenesis& g) {
  const JsonValue* number = find(epoch, "epoch");
  if (!number || number->type != JsonValue::Type::kInteger || number->integer < 0) {
    throw Failure{"proof.epoch.epoch is not an epoch number"};
  }
  const quorum::EpochTuple tuple{g.network_id,
                                 quorum::Epoch{static_cast<std::uint64_t>(number->integer)},
                                 hex_field<32>(epoch, "output_digest"),
                                 hex_field<32>(epoch, "state_digest"),
                                 hex_field<32>(epoch, "audit_head"),
                                 hex_field<32>(epoch, "snapshot_digest"),
                                 hex_field<32>(epoch, "obligations_root")};
  const JsonValue* list = find(epoch, "signatures");
  if (!list || list->type != JsonValue::Type::kArray) throw Failure{"proof.epoch.signatures is missing"};
  std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures;
  for (const JsonValue& s : list->items) {
    const JsonValue* node = find(s, "node_id");
    const auto signature = config::from_hex<64>(field_text(s, "signature"));
    if (!node || node->type != JsonValue::Type::kInteger || node->integer < 0 || node->integer > 0xffff ||
        !signature) {
      throw Failure{"proof.epoch.signatures holds an entry that is not {node_id, signature}"};
    }
    signatures.emplace_back(quorum::NodeId{static_cast<std::uint16_t>(node->integer)}, *signature);
  }
  const std::vector<quorum::SigningPublicKey> keys = g.signing_keys();
  return {tuple, quorum::distinct_valid_signers(tuple, signatures, keys)};
}

// One instruction in the answer's spelling, so the leaf and the JSON are
// compared as text the member and the third party both read.
std::string instruction_key(const settlement::ProvenObligation& o, const settlement::ReferenceData& reference) {
  const auto currency = reference.find_currency(o.currency);
  if (!currency) throw Failure{"the leaf names currency " + std::string(o.currency.view()) + ", not in genesis"};
  const auto minor = static_cast<std::uint8_t>(reference.currency(*currency).minor_units);
  const std::uint8_t amount_scale = o.kind == settlement::AssetKind::kCash ? minor : 0;
  settlement::Obligation as_obligation;
  as_obligation.kind = o.kind;
  as_obligation.net_amount = o.net_amount;
  as_obligation.mark_minor = o.mark_minor;
  const bool moves = o.net_amount != 0 || o.mark_minor != 0;
  return std::string(api::asset_kind_name(o.kind)) + "|" + std::string(o.asset.view()) + "|" +
         std::string(o.currency.view()) + "|" + (moves ? std::string(api::direction_name(direction(as_obligation))) : "") +
         "|" + api::format_date(o.settlement_date) + "|" + api::format_date(o.origin_date) + "|" +
         api::format_decimal({o.net_amount, amount_scale}) + "|" + api::format_decimal({o.value_minor, minor}) + "|" +
         api::format_decimal({o.mark_minor, minor}) + "|" + api::format_decimal({o.settled_amount, amount_scale}) +
         "|" + api::format_decimal({o.settled_mark_minor, minor}) + "|" +
         std::string(api::obligation_status_name(o.status)) + "|" + std::string(api::reason_name(o.fail_reason));
}

std::string instruction_key(const JsonValue& i) {
  std::string key;
  for (const std::string_view f : {"asset_kind", "asset", "currency", "direction", "settlement_date", "origin_date",
                                   "net_amount", "value", "mark", "settled_amount", "settled_mark", "status"}) {
    key += field_text(i, f) + "|";
  }
  return key + field_text(i, "fail_reason");
}

int verify(const Args& args) {
  const Command command = proof_command();
  const auto genesis_path = args.value("genesis");
  const auto run_path = args.value("run");
  if (!genesis_path || !run_path) return usage_error(command, "--genesis FILE and --run FILE are required");
  const std::optional<LoadedGenesis> loaded = load_genesis_for("proof verify", *genesis_path);
  if (!loaded) return kExitFailed;
  const config::NetworkGenesis& g = loaded->genesis;
  auto text = config::read_file(*run_path, kRunFileBytesMax, config::Secrecy::kPublic);
  if (const auto* e = std::get_if<config::ConfigError>(&text)) {
    std::cerr << "clearctl proof verify: " << e->what() << "\n";
    return kExitFailed;
  }
  try {
    const auto run = parse_answer(std::get<std::string>(text));
    if (!run || run->type != JsonValue::Type::kObject) throw Failure{*run_path + " is not a settlement run (JSON object)"};
    const JsonValue& proof_json = object_at(*run, "proof", "proof (a clearing member's read of the run)");
    const JsonValue& epoch = object_at(proof_json, "epoch", "proof.epoch");
    const auto [tuple, signers] = signed_tuple(epoch, g);
    const std::size_t needed = 2 * g.membership().f() + 1;
    if (signers < needed) {
      throw Failure{"only " + std::to_string(signers) + " valid genesis-node signatures over epoch " +
                    std::to_string(tuple.epoch.value) + "'s tuple; " + std::to_string(needed) + " (2f+1) are needed"};
    }
    if (field_text(*run, "cutoff_epoch") != std::to_string(tuple.epoch.value)) {
      throw Failure{"the proof's epoch is not the run's cutoff_epoch"};
    }
    auto decoded = settlement::decode_obligation_proof(bytes_of_hex(field_text(proof_json, "encoding")));
    if (const auto* e = std::get_if<settlement::ProofError>(&decoded)) throw Failure{"proof.encoding: " + e->what};
    auto proven = settlement::verify_obligations(tuple.obligations_root, std::get<settlement::ObligationProof>(decoded));
    if (const auto* e = std::get_if<settlement::ProofError>(&proven)) throw Failure{e->what};
    const settlement::ObligationLeaf& leaf = std::get<settlement::ObligationLeaf>(proven);
    const std::string member(leaf.member.view());
    if (field_text(proof_json, "member") != member) throw Failure{"the proven leaf is " + member + "'s, not proof.member's"};
    if (field_text(*run, "business_date") != api::format_date(leaf.business_date)) {
      throw Failure{"the proven leaf is of " + api::format_date(leaf.business_date) + ", not the run's business date"};
    }
    std::vector<std::string> proven_keys;
    for (const auto& o : leaf.obligations) proven_keys.push_back(instruction_key(o, loaded->reference));
    std::vector<std::string> shown_keys;
    const JsonValue* instructions = find(*run, "instructions");
    if (!instructions || instructions->type != JsonValue::Type::kArray) throw Failure{"instructions is missing"};
    for (const JsonValue& i : instructions->items) {
      if (field_text(i, "member") == member) shown_keys.push_back(instruction_key(i));
    }
    std::sort(proven_keys.begin(), proven_keys.end());
    std::sort(shown_keys.begin(), shown_keys.end());
    if (proven_keys != shown_keys) {
      const auto [a, b] = std::mismatch(shown_keys.begin(), shown_keys.end(), proven_keys.begin(), proven_keys.end());
      throw Failure{"the instructions shown for " + member + " are not the proven ones: shown " +
                    (a == shown_keys.end() ? std::string("nothing more") : *a) + ", proven " +
                    (b == proven_keys.end() ? std::string("nothing more") : *b)};
    }
    std::cout << "proof verified: " << member << ", business date " << api::format_date(leaf.business_date) << ", "
              << leaf.obligations.size() << (leaf.obligations.size() == 1 ? " obligation" : " obligations") << ", epoch " << tuple.epoch.value << " signed by " << signers
              << " of " << g.nodes.size() << " genesis nodes (2f+1 = " << needed << ")\n";
    return kExitOk;
  } catch (const Failure& f) {
    std::cerr << "clearctl proof verify: NOT VERIFIED: " << f.what << "\n";
    return kExitFailed;
  }
}

int run(const Args& args) {
  const auto verb = args.value("verb");
  if (verb == "verify") return verify(args);
  return usage_error(proof_command(), "the verb must be verify");
}

}  // namespace

Command proof_command() {
  return Command{"proof", "verify a member's obligation proof with only the genesis file", kUsage,
                 {{"verb"}, {"genesis"}, {"run"}}, run, "verb"};
}

}  // namespace quorumclear::cli
