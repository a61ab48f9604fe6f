// Writes the seed corpus for settlement_batch_fuzz: valid batches that reach
// every entry kind and the ledger paths behind them (reports that allege,
// duplicate and conflict, both sides of a trade that match across the
// fuzzer's epochs, a second side that mismatches and is corrected, the same
// price with more trailing zeros, a third member's report of a pair's trade
// id, cancels before and after matching, venue trades for permitted and
// other members with affirmations and a differing report, allegations that
// expire at a cut-off or hit the open-report cap, funding, a cut-off that
// nets and settles, a suspension, the nodes' scheduled cut-off alone and
// beside the operator's, for the open, a closed and a future date), so the
// fuzzer mutates from meaningful inputs. The members and the venue are batch_fuzz_genesis.h's.
#include "settlement/codec.h"
#include "settlement/test_support.h"
#include "tests/fuzz/batch_fuzz_genesis.h"

#include <cstdio>
#include <string>
#include <vector>

namespace qs = quorumclear::settlement;
using qs::testing::acme_trade;
using qs::testing::counter_report;
using qs::testing::kWednesday;

namespace {

qs::Funding cash(std::string_view ref, std::string_view member, std::int64_t amount) {
  return qs::Funding{qs::MemberId::of("OPS"), qs::ControlRef::of(ref), qs::MemberId::of(member),
                     qs::AssetKind::kCash, qs::AssetCode::of("EUR"), amount};
}

qs::Funding securities(std::string_view ref, std::string_view member, std::int64_t amount) {
  return qs::Funding{qs::MemberId::of("OPS"), qs::ControlRef::of(ref), qs::MemberId::of(member),
                     qs::AssetKind::kSecurities, qs::AssetCode::of("US0378331005"), amount};
}

/// `t` as the venue XCHG reports it, for buyer `buyer` and seller `seller`.
qs::Trade venue_trade(std::string_view id, std::string_view buyer, std::string_view seller) {
  qs::Trade t = acme_trade(id, buyer, seller, 40, 2500, kWednesday);
  t.submitter = qs::MemberId::of("XCHG");
  return t;
}

qs::Trade with_submitter(qs::Trade t, std::string_view submitter) {
  t.submitter = qs::MemberId::of(submitter);
  return t;
}

qs::TradeCancel cancel(std::string_view id, std::string_view submitter) {
  return qs::TradeCancel{qs::TradeId::of(id), qs::MemberId::of(submitter)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const qs::CutOff cutoff{qs::MemberId::of("OPS"), kWednesday};
  const qs::SuspensionChange suspend{qs::MemberId::of("OPS"), qs::ControlRef::of("S-1"),
                                     qs::Isin::of("US0378331005"), true};
  std::vector<qs::Batch> batches = {
      {{acme_trade("T-1", "A", "B", 100, 1000, kWednesday)}},
      {{acme_trade("T-1", "A", "B", 100, 1000, kWednesday), acme_trade("T-1", "A", "B", 100, 1000, kWednesday),
        acme_trade("T-1", "A", "B", 101, 1000, kWednesday), acme_trade("T-2", "A", "C", 5, 99, kWednesday)}},
      {{cash("F-1", "A", 1'000'000), securities("F-2", "B", 500), acme_trade("T-3", "A", "B", 100, 1000, kWednesday),
        cutoff}},
      {{suspend, acme_trade("T-4", "A", "D", 1, 100'000, kWednesday)}},
      {{cutoff, acme_trade("T-5", "A", "B", 7, 250, kWednesday)}},
  };
  const qs::Trade ab = acme_trade("M-1", "A", "B", 100, 1000, kWednesday);
  const qs::Trade cd = acme_trade("M-2", "C", "D", 3, 4200, kWednesday);
  qs::Trade wrong = counter_report(ab);
  wrong.quantity.units += 1;
  qs::Trade zeros = counter_report(ab);  // 10.00 written as 10.0000
  zeros.price = qs::Price{zeros.price.units * 100};
  zeros.price_scale = 4;
  qs::Trade third = ab;  // C names itself buyer and B seller under A and B's id
  third.submitter = third.buyer = qs::MemberId::of("C");
  qs::Trade differs = with_submitter(venue_trade("V-1", "A", "B"), "B");
  differs.price.units += 1;
  const std::vector<qs::Batch> matching = {
      // Both sides: A's in the first epoch, B's in the second.
      {{ab, counter_report(ab)}},
      // The seller's side first, both in one batch; then the same trade again.
      {{counter_report(cd), cd, cd}},
      // A second side wrong in quantity, then corrected under the same id.
      {{ab, wrong, counter_report(ab)}},
      // The same price with more trailing zeros.
      {{ab, zeros}},
      // A third member's report beside a matching pair.
      {{ab, third, counter_report(ab)}},
      // B cancels after its side matched A's: refused. C cancels before D
      // reports: D's report then stays alleged.
      {{ab, counter_report(ab), cancel("M-1", "B"), cd, cancel("M-2", "C"), counter_report(cd)}},
      // Venue trades: permitted, not permitted (D), affirmed by both
      // parties, and a party's report that differs from the venue's.
      {{venue_trade("V-1", "A", "B"), venue_trade("V-2", "A", "D"),
        with_submitter(venue_trade("V-1", "A", "B"), "A"), differs,
        with_submitter(venue_trade("V-3", "B", "C"), "B"), venue_trade("V-3", "B", "C")}},
      // Both parties report a venue trade: in the second schedule they match
      // before the venue's copy arrives, which is then ALREADY_MATCHED.
      {{venue_trade("V-4", "A", "B"), with_submitter(venue_trade("V-4", "A", "B"), "A"),
        with_submitter(venue_trade("V-4", "A", "B"), "B")}},
      // One-sided allegations expire at the cut-off; the late second side
      // finds nothing to pair with.
      {{ab, cutoff, counter_report(ab)}},
  };
  for (const qs::Batch& b : matching) batches.push_back(b);
  // More allegations than the open-report cap lets one member have.
  qs::Batch flood;
  for (std::uint32_t i = 0; i <= qs::fuzzing::batch_fuzz_genesis().max_open_reports_per_member; ++i) {
    flood.entries.emplace_back(acme_trade("F-" + std::to_string(i), "A", "C", 1, 1000, kWednesday));
  }
  batches.push_back(flood);
  // The nodes' scheduled cut-off (kind 6) between trades: it needs 2f+1 = 3
  // proposers, so in the first schedule the day closes in B's batch, just
  // after B's side of T-6 matched A's; B's and then C's side of T-7 come
  // after it, so T-7 books on Thursday (rolled).
  const qs::Trade t6 = acme_trade("T-6", "A", "B", 10, 1000, kWednesday);
  const qs::Trade t7 = acme_trade("T-7", "C", "B", 20, 1100, kWednesday);
  batches.push_back(
      {{t6, counter_report(t6), qs::ScheduledCutOff{kWednesday}, counter_report(t7), t7}});
  // Both kinds for Wednesday (the operator's closes it at f+1 = 2, then the
  // scheduled votes are no-ops), one for a closed date and one for
  // Thursday: refused while Wednesday is open, counted once it is.
  batches.push_back({{cutoff, qs::ScheduledCutOff{kWednesday},
                      qs::ScheduledCutOff{qs::BusinessDate{kWednesday.days - 1}},
                      qs::ScheduledCutOff{qs::testing::kThursday}}});
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const qs::Bytes bytes = qs::encode_batch(batches[i]);
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(i);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) return 1;
    std::fclose(f);
  }
  return 0;
}
