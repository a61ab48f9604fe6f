#include "quorum/sim/sent_log.h"

#include <type_traits>

namespace quorumclear::quorum::sim {
namespace {

Digest of_byte(std::uint8_t value) {
  Digest out{};
  out[0] = value;
  return out;
}

/// (round, what was said) for the payloads with a uniqueness rule.
std::optional<std::pair<std::uint32_t, Digest>> statement(const Payload& payload) {
  return std::visit(
      [](const auto& p) -> std::optional<std::pair<std::uint32_t, Digest>> {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RbcVal> || std::is_same_v<T, RbcEcho> || std::is_same_v<T, RbcReady>) {
          return std::pair{0u, p.root};
        } else if constexpr (std::is_same_v<T, AbaAux>) {
          return std::pair{p.round.value, of_byte(p.value ? 1 : 0)};
        } else if constexpr (std::is_same_v<T, AbaConf>) {
          return std::pair{p.round.value, of_byte(static_cast<std::uint8_t>(p.values))};
        } else if constexpr (std::is_same_v<T, AbaCoin>) {
          return std::pair{p.round.value, Digest(p.share.point)};
        } else if constexpr (std::is_same_v<T, AbaTerm>) {
          return std::pair{0u, of_byte(p.value ? 1 : 0)};
        } else {
          static_assert(std::is_same_v<T, AbaBval>);
          return std::nullopt;
        }
      },
      payload);
}

constexpr const char* kTypeNames[] = {"VAL", "ECHO", "READY", "BVAL", "AUX", "CONF", "COIN", "TERM"};
static_assert(std::size(kTypeNames) == std::variant_size_v<Payload>);

}  // namespace

std::optional<std::string> SentLog::record(const Message& message) {
  const auto said = statement(message.payload);
  if (!said) return std::nullopt;
  const std::size_t type = message.payload.index();
  const Key key{message.epoch.value, message.proposer.value, static_cast<std::uint8_t>(type), said->first};
  const auto [it, inserted] = said_.try_emplace(key, said->second);
  if (inserted || it->second == said->second) return std::nullopt;
  return std::string("two different ") + kTypeNames[type] + " for epoch " + std::to_string(key.epoch) +
         " proposer " + std::to_string(key.proposer) + " round " + std::to_string(key.round);
}

}  // namespace quorumclear::quorum::sim
