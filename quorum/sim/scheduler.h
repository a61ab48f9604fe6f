#pragma once
// Delivery order of the simulated network. The plain scheduler orders by
// virtual arrival time (random per-message delays give reordering); the
// issue-59 scheduler is an adaptive adversary that reads every message in
// flight and chooses what to deliver next.

#include "quorum/sim/adversary.h"

#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>

namespace quorumclear::quorum::sim {

struct Delivery {
  std::uint64_t time_ms = 0;  // virtual arrival time
  std::uint64_t seq = 0;      // global send order: ties and FIFO
  NodeId from;
  NodeId to;
  std::shared_ptr<const Message> message;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void push(Delivery delivery) = 0;
  /// Next delivery; nullopt when nothing is in flight.
  virtual std::optional<Delivery> pop() = 0;
  [[nodiscard]] virtual std::size_t size() const = 0;
};

/// Earliest arrival first, then send order.
class TimeOrderScheduler final : public Scheduler {
 public:
  void push(Delivery delivery) override;
  std::optional<Delivery> pop() override;
  [[nodiscard]] std::size_t size() const override { return queue_.size(); }

 private:
  struct Later {
    bool operator()(const Delivery& a, const Delivery& b) const {
      return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.seq > b.seq;
    }
  };
  std::priority_queue<Delivery, std::vector<Delivery>, Later> queue_;
};

/// HoneyBadgerBFT issue 59 (MacBrough 2018), generalised to n = 3f + 1: one
/// Byzantine node F and three honest groups A0, A1, B of f nodes each. For
/// every ABA instance and round r, with v the coin of round r-1:
///  - A0 is fed votes for !v first and A1 votes for v first, and F tells A0
///    "!v" and A1 "v" (later both), so A's bin_values end up {0, 1};
///  - B is starved until the coin s of round r is known to the adversary
///    (fixed-coin rounds: at once; threshold rounds: as soon as f honest
///    shares are in flight, which with F's share make f + 1), then fed only
///    votes for !s, and F sends B "!s", so B ends the round with vals = {!s}
///    while A, seeing both values, adopts s: the honest nodes stay split.
///  - F sends its own RBC VALs to A only and B gets RBC traffic last, so
///    A and B start ABA(F) with different inputs.
/// The CONF round (vals fixed by n - f CONF before any honest node releases
/// its share) is what defeats this; the simulator checks that every epoch
/// still decides. Asynchrony is respected: a message held for more than
/// `hold_max` = 3 n^3 deliveries (several message hops of a whole epoch) is
/// delivered next, so every message arrives.
class Issue59Attack final : public Scheduler, public Adversary {
 public:
  Issue59Attack(const Membership& members, NodeId byzantine, const NodeKeys& byzantine_keys,
                const Digest& network_id, std::vector<NodeId> honest);

  void push(Delivery delivery) override;
  std::optional<Delivery> pop() override;
  [[nodiscard]] std::size_t size() const override { return pending_.size(); }

  void on_send(NodeId to, const Message& message, const Emit& emit) override;

 private:
  enum class Group : std::uint8_t { kA0, kA1, kB, kF };
  enum class Priority : std::uint8_t { kFavoured = 0, kNeutral = 1, kHeld = 2 };
  struct CoinKey {
    std::uint64_t epoch;
    std::uint16_t proposer;
    std::uint32_t round;
    friend auto operator<=>(const CoinKey&, const CoinKey&) = default;
  };

  [[nodiscard]] Group group_of(NodeId id) const { return groups_[id.value]; }
  [[nodiscard]] std::optional<bool> coin(const CoinKey& key) const;
  [[nodiscard]] bool a_estimate(const Message& m, std::uint32_t round) const;
  [[nodiscard]] Priority priority(const Delivery& d) const;
  /// Votes carried by an ABA message for the purposes of steering.
  [[nodiscard]] std::optional<std::pair<std::uint32_t, bool>> vote(const Message& m) const;
  void learn_share(const Delivery& d);
  void reclassify();

  Membership members_;
  NodeId byzantine_;
  Digest network_id_;
  ThresholdCoin coin_;  // F's key share: with f honest shares, the coin
  std::vector<Group> groups_;
  std::uint64_t hold_max_;
  std::uint64_t delivered_ = 0;
  std::map<CoinKey, bool> coins_;  // threshold coins the adversary has computed
  std::map<CoinKey, std::vector<std::pair<NodeId, CoinShare>>> shares_;
  std::map<std::uint64_t, std::pair<Delivery, std::uint64_t>> pending_;  // seq -> (delivery, pushed at)
  /// (arrival time, seq) per priority: within a class the random link
  /// delays still decide the order, so seeds explore different schedules.
  std::array<std::set<std::pair<std::uint64_t, std::uint64_t>>, 3> by_priority_;
};

}  // namespace quorumclear::quorum::sim
