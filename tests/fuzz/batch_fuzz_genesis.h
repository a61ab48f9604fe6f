#pragma once
// The network settlement_batch_fuzz applies its inputs to, shared with the
// corpus writer: small_genesis (members A, B, C, D on nodes 0..3, OPS on
// node 4) plus a trading venue XCHG on node 5 that may submit for A, B and C
// but not D; unmatched reports expire at the first cut-off an input applies,
// and a member may have only a few open at once, so inputs reach both.
#include "settlement/test_support.h"

#include <array>
#include <cstdint>
#include <vector>

namespace quorumclear::settlement::fuzzing {

inline constexpr std::uint16_t kVenueNode = 5;

inline Genesis batch_fuzz_genesis() {
  Genesis g = testing::small_genesis();
  g.members.push_back({MemberId::of("XCHG"), "Exchange", Role::kTradingVenue, kVenueNode});
  // f = 1 still: the operator's control entries take effect at 2 proposers,
  // a scheduled cut-off (kind 6) at 2f+1 = 3.
  g.node_count = kVenueNode + 1;
  for (const char* member : {"A", "B", "C"}) {
    g.venue_members.push_back({MemberId::of("XCHG"), MemberId::of(member)});
  }
  g.allegation_expiry_days = 0;
  g.max_open_reports_per_member = 6;
  return g;
}

/// Who proposes the input's bytes in each epoch, in two schedules, each on
/// a fresh ledger. A key's first copy decides it and later copies are
/// duplicates, so the order of proposers across epochs is what makes a
/// batch holding both sides of a trade match across epochs, either side
/// first, and a venue trade come before or after its parties' reports.
/// The first: A's reports and the venue's (the operator's control entries
/// reach f+1 = 2 proposers, a scheduled cut-off only 2f), then B's, C's and
/// D's (a scheduled cut-off reaches 2f+1 = 3 at B's), then every node again
/// (duplicates, conflicts, cancels after matching, late votes for a closed
/// date). The second: B's, C's and D's (both kinds of cut-off take effect
/// in the first epoch), then A's, then the venue's and the operator node's.
inline const std::array<std::array<std::vector<std::uint16_t>, 3>, 2> kSchedules = {{
    {{{0, kVenueNode}, {1, 2, 3}, {0, 1, 2, 3, 4, kVenueNode}}},
    {{{1, 2, 3}, {0}, {kVenueNode, 4}}},
}};

}  // namespace quorumclear::settlement::fuzzing
