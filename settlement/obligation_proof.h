#pragma once
// Settlement reports a member can prove to a third party. Each settlement
// report a cut-off produces gets a Merkle tree (merkle.h) with one leaf per
// clearing member, in genesis order, holding that member's obligations in
// the codes an outsider reads without the ledger (member id, ISIN or
// currency code, units and minor units); a member without obligations has
// a leaf too, so it can prove that as well. The epoch's reports are the
// leaves of a second tree, whose root is the obligations root of the
// epoch's certified tuple (quorum/certificate.h; zero when the epoch closed
// no date). A member hands over its leaf, the two branches and the epoch's
// certificate: 2f+1 genesis keys vouch for the root, the branches for the
// leaf, and the siblings are hashes, so nothing of other members is shown.
//
//   EpochObligations o = prove_epoch_obligations(result.reports, reference);  // o.root goes into the tuple
//   auto leaf = verify_obligations(tuple.obligations_root, o.proofs[i].proof);  // ObligationLeaf or ProofError

#include "settlement/ledger.h"

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::settlement {

/// Domain tags of the two kinds of leaf.
inline constexpr std::string_view kObligationLeafTag = "QCOBLIG1";
inline constexpr std::string_view kObligationReportTag = "QCOBLRP1";
/// Encoded leaves and proofs above this are refused before decoding.
inline constexpr std::size_t kObligationProofBytesMax = std::size_t{16} << 20;

/// One obligation as an outsider reads it (netting.h, Obligation): against
/// the CCP; units for securities, minor units of `currency` for money.
struct ProvenObligation {
  AssetKind kind = AssetKind::kSecurities;
  AssetCode asset;        // the ISIN, or the currency code for cash
  CurrencyCode currency;  // of value and mark
  BusinessDate settlement_date;
  BusinessDate origin_date;
  std::int64_t net_amount = 0;
  std::int64_t value_minor = 0;
  std::int64_t mark_minor = 0;
  std::int64_t settled_amount = 0;
  std::int64_t settled_mark_minor = 0;
  ObligationStatus status = ObligationStatus::kPending;
  Reason fail_reason = Reason::kNone;
  friend bool operator==(const ProvenObligation&, const ProvenObligation&) = default;
};

/// A member's obligations in the run of one business date, in report order.
struct ObligationLeaf {
  BusinessDate business_date;
  MemberId member;
  std::vector<ProvenObligation> obligations;
  friend bool operator==(const ObligationLeaf&, const ObligationLeaf&) = default;
};

struct ObligationProof {
  Bytes leaf;  // encode_obligation_leaf
  std::uint32_t leaf_index = 0;
  std::uint32_t leaf_count = 0;
  std::vector<Digest> branch;  // up to the report's root
  std::uint32_t report_index = 0;
  std::uint32_t report_count = 0;
  std::vector<Digest> report_branch;  // from the report's leaf up to the epoch's root
  friend bool operator==(const ObligationProof&, const ObligationProof&) = default;
};

struct ProofError {
  std::string what;
};

/// u8 version 1, i32 business date, text member, u32 count, per obligation:
/// u8 kind, text asset, text currency, i32 settlement and origin dates, i64
/// net, value, mark, settled amount, settled mark, u8 status, text reason
/// (validation.h's code, NONE for none).
[[nodiscard]] Bytes encode_obligation_leaf(const ObligationLeaf& leaf);
/// Strict: canonical bytes only, every field checked. Never crashes.
[[nodiscard]] std::variant<ObligationLeaf, ProofError> decode_obligation_leaf(ByteView bytes);

/// u8 version 1, u32 leaf length, leaf, u32 index, u32 count, u8 depth,
/// digests, then the same three for the report.
[[nodiscard]] Bytes encode_obligation_proof(const ObligationProof& proof);
[[nodiscard]] std::variant<ObligationProof, ProofError> decode_obligation_proof(ByteView bytes);

/// One leaf per clearing member of `reference`, in genesis order.
[[nodiscard]] std::vector<ObligationLeaf> obligation_leaves(const SettlementReport& report,
                                                            const ReferenceData& reference);

/// A member's proof for one business date, with what names it.
struct MemberObligationProof {
  BusinessDate business_date;
  MemberId member;
  ObligationProof proof;
};

struct EpochObligations {
  Digest root{};  // zero when `reports` is empty
  /// Report by report, then clearing member by clearing member.
  std::vector<MemberObligationProof> proofs;
};
[[nodiscard]] EpochObligations prove_epoch_obligations(std::span<const SettlementReport> reports,
                                                       const ReferenceData& reference);

/// The leaf `proof` proves under `epoch_root`, or why it does not.
[[nodiscard]] std::variant<ObligationLeaf, ProofError> verify_obligations(const Digest& epoch_root,
                                                                          const ObligationProof& proof);

}  // namespace quorumclear::settlement
