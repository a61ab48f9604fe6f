#include "services/config/public_files.h"

#include "services/config/files.h"
#include "services/config/hex.h"
#include "services/config/json_reader.h"
#include "services/config/json_writer.h"
#include "services/config/key_fields.h"

namespace quorumclear::config {
namespace {

/// Reads `path` and runs `parse` on its root object, mapping FieldError.
template <typename Result, typename Parse>
std::variant<Result, ConfigError> load_public(const std::filesystem::path& path, Parse parse) {
  detail::ensure_sodium();
  auto bytes = read_file(path, kPublicFileBytesMax, Secrecy::kPublic);
  if (auto* error = std::get_if<ConfigError>(&bytes)) return std::move(*error);
  try {
    detail::JsonObject root = detail::parse_object(std::get<std::string>(bytes));
    Result result = parse(root);
    root.finish();
    return result;
  } catch (const detail::FieldError& e) {
    return ConfigError{path.string(), e.field, e.message};
  }
}

}  // namespace

std::variant<NodePublicFile, ConfigError> load_node_public(const std::filesystem::path& path) {
  return load_public<NodePublicFile>(path, [](detail::JsonObject& root) {
    NodePublicFile node;
    node.node_id = static_cast<std::uint16_t>(root.integer("node_id", 0, quorum::kNetworkSizeMax - 1));
    node.tls_pin = detail::tls_pin_field(root, "tls_pin");
    node.signing_key = detail::signing_key_field(root, "signing_key");
    return node;
  });
}

std::string node_public_json(const NodePublicFile& node) {
  return detail::JsonLine()
             .integer("node_id", node.node_id)
             .string("tls_pin", to_hex(node.tls_pin))
             .string("signing_key", to_hex(node.signing_key))
             .str() +
         "\n";
}

std::variant<CoinPublicShares, ConfigError> load_coin_public_shares(const std::filesystem::path& path) {
  return load_public<CoinPublicShares>(path, [](detail::JsonObject& root) {
    const auto n = static_cast<std::size_t>(
        root.integer("node_count", quorum::kNetworkSizeMin, quorum::kNetworkSizeMax));
    detail::JsonArray list = root.array("public_shares", quorum::kNetworkSizeMax);
    if (list.size() != n) {
      detail::fail("public_shares", "must have node_count (" + std::to_string(n) + ") entries, not " +
                                        std::to_string(list.size()));
    }
    CoinPublicShares shares;
    for (std::size_t i = 0; i < n; ++i) {
      shares.public_shares.push_back(detail::coin_point_text(list.string(i, 64), list.field(i)));
    }
    if (!quorum::public_shares_consistent(quorum::Membership(n), shares.public_shares)) {
      detail::fail("public_shares", "do not lie on one polynomial of degree f: not one dealing");
    }
    return shares;
  });
}

std::string coin_public_shares_json(const CoinPublicShares& shares) {
  std::string list = "[";
  for (std::size_t i = 0; i < shares.public_shares.size(); ++i) {
    list += (i == 0 ? "\n  " : ",\n  ") + detail::json_string(to_hex(shares.public_shares[i]));
  }
  list += "\n]";
  return detail::JsonLine()
             .integer("node_count", static_cast<std::int64_t>(shares.public_shares.size()))
             .raw("public_shares", list)
             .str() +
         "\n";
}

}  // namespace quorumclear::config
