#include "settlement/obligation_proof.h"

#include "settlement/byte_reader.h"
#include "settlement/byte_writer.h"
#include "settlement/merkle.h"

#include <cassert>
#include <optional>

namespace quorumclear::settlement {
namespace {

constexpr std::uint8_t kLeafVersion = 1;
constexpr std::uint8_t kProofVersion = 1;
// kind, asset, currency (3), two dates, five amounts, status, reason: the
// least one obligation takes, so a lying count allocates nothing.
constexpr std::size_t kObligationBytesMin = 1 + 1 + 4 + 8 + 40 + 1 + 1;

std::optional<Reason> reason_named(std::string_view name) {
  for (std::uint8_t v = 0; v <= static_cast<std::uint8_t>(Reason::kLockedInMismatch); ++v) {
    if (to_string(static_cast<Reason>(v)) == name) return static_cast<Reason>(v);
  }
  return std::nullopt;
}

template <class CodeT>
CodeT code_of(ByteReader& r, const char* what) {
  const std::optional<CodeT> code = CodeT::from(r.text(CodeT::kCapacity, what));
  r.expect(code && !code->empty(), what);
  return code.value_or(CodeT{});
}

ProvenObligation proven(const Obligation& o, const ReferenceData& reference) {
  ProvenObligation p;
  p.kind = o.kind;
  if (o.kind == AssetKind::kSecurities) {
    const InstrumentInfo& instrument = reference.instrument(InstrumentIndex{o.asset});
    p.asset = AssetCode::of(instrument.isin.view());
    p.currency = reference.currency(instrument.currency).code;
  } else {
    p.currency = reference.currency(CurrencyIndex{static_cast<std::uint8_t>(o.asset)}).code;
    p.asset = AssetCode::of(p.currency.view());
  }
  p.settlement_date = o.settlement_date;
  p.origin_date = o.origin_date;
  p.net_amount = o.net_amount;
  p.value_minor = o.value_minor;
  p.mark_minor = o.mark_minor;
  p.settled_amount = o.settled_amount;
  p.settled_mark_minor = o.settled_mark_minor;
  p.status = o.status;
  p.fail_reason = o.fail_reason;
  return p;
}

void write_branch(ByteWriter& w, const std::vector<Digest>& branch) {
  w.u8(static_cast<std::uint8_t>(branch.size()));
  for (const Digest& d : branch) w.bytes(ByteView(d.data(), d.size()));
}

std::vector<Digest> read_branch(ByteReader& r) {
  const std::uint8_t depth = r.u8();
  std::vector<Digest> branch;
  if (!r.expect(depth <= kMerkleDepthMax, "branch: deeper than any tree")) return branch;
  for (std::uint8_t i = 0; i < depth && r.ok(); ++i) branch.push_back(r.digest());
  return branch;
}

// What the report's leaf in the epoch tree commits to: its date, its
// member count and its members' root.
Digest report_leaf_hash(BusinessDate date, std::uint32_t leaf_count, const Digest& report_root) {
  Bytes bytes;
  ByteWriter w(bytes);
  w.i32(date.days);
  w.u32(leaf_count);
  w.bytes(ByteView(report_root.data(), report_root.size()));
  return merkle_leaf_hash(kObligationReportTag, bytes);
}

ProofError error_at(const ByteReader& r, std::string_view part) {
  return ProofError{std::string(part) + ": " + r.error() + " at byte " + std::to_string(r.offset())};
}

}  // namespace

Bytes encode_obligation_leaf(const ObligationLeaf& leaf) {
  Bytes out;
  ByteWriter w(out);
  w.u8(kLeafVersion);
  w.i32(leaf.business_date.days);
  w.text(leaf.member);
  w.count(leaf.obligations.size());
  for (const ProvenObligation& o : leaf.obligations) {
    w.u8(static_cast<std::uint8_t>(o.kind));
    w.text(o.asset);
    w.text(o.currency);
    w.i32(o.settlement_date.days);
    w.i32(o.origin_date.days);
    w.i64(o.net_amount);
    w.i64(o.value_minor);
    w.i64(o.mark_minor);
    w.i64(o.settled_amount);
    w.i64(o.settled_mark_minor);
    w.u8(static_cast<std::uint8_t>(o.status));
    w.text(to_string(o.fail_reason));
  }
  return out;
}

std::variant<ObligationLeaf, ProofError> decode_obligation_leaf(ByteView bytes) {
  if (bytes.size() > kObligationProofBytesMax) return ProofError{"leaf: too large"};
  ByteReader r(bytes);
  ObligationLeaf leaf;
  r.expect(r.u8() == kLeafVersion, "leaf: unknown version");
  leaf.business_date.days = r.i32();
  leaf.member = code_of<MemberId>(r, "leaf: member");
  const std::size_t n = r.count(kObligationBytesMin, "leaf: obligation count");
  leaf.obligations.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    ProvenObligation o;
    const std::uint8_t kind = r.u8();
    r.expect(kind <= static_cast<std::uint8_t>(AssetKind::kCash), "obligation: asset kind");
    o.kind = static_cast<AssetKind>(kind);
    o.asset = code_of<AssetCode>(r, "obligation: asset");
    o.currency = code_of<CurrencyCode>(r, "obligation: currency");
    o.settlement_date.days = r.i32();
    o.origin_date.days = r.i32();
    o.net_amount = r.i64();
    o.value_minor = r.i64();
    o.mark_minor = r.i64();
    o.settled_amount = r.i64();
    o.settled_mark_minor = r.i64();
    const std::uint8_t status = r.u8();
    r.expect(status <= static_cast<std::uint8_t>(ObligationStatus::kFailed), "obligation: status");
    o.status = static_cast<ObligationStatus>(status);
    const std::optional<Reason> reason = reason_named(r.text(64, "obligation: fail reason"));
    r.expect(reason.has_value(), "obligation: fail reason unknown");
    o.fail_reason = reason.value_or(Reason::kNone);
    leaf.obligations.push_back(o);
  }
  r.expect(r.remaining() == 0, "leaf: bytes after the last obligation");
  if (!r.ok()) return error_at(r, "leaf");
  // Codes read back from any bytes are canonical only if they encode back.
  if (encode_obligation_leaf(leaf) != Bytes(bytes.begin(), bytes.end())) return ProofError{"leaf: not canonical"};
  return leaf;
}

Bytes encode_obligation_proof(const ObligationProof& proof) {
  Bytes out;
  ByteWriter w(out);
  w.u8(kProofVersion);
  w.count(proof.leaf.size());
  w.bytes(proof.leaf);
  w.u32(proof.leaf_index);
  w.u32(proof.leaf_count);
  write_branch(w, proof.branch);
  w.u32(proof.report_index);
  w.u32(proof.report_count);
  write_branch(w, proof.report_branch);
  return out;
}

std::variant<ObligationProof, ProofError> decode_obligation_proof(ByteView bytes) {
  if (bytes.size() > kObligationProofBytesMax) return ProofError{"proof: too large"};
  ByteReader r(bytes);
  ObligationProof proof;
  r.expect(r.u8() == kProofVersion, "proof: unknown version");
  const std::size_t leaf_bytes = r.count(1, "proof: leaf length");
  const ByteView leaf = r.span(leaf_bytes);
  proof.leaf.assign(leaf.begin(), leaf.end());
  proof.leaf_index = r.u32();
  proof.leaf_count = r.u32();
  proof.branch = read_branch(r);
  proof.report_index = r.u32();
  proof.report_count = r.u32();
  proof.report_branch = read_branch(r);
  r.expect(r.remaining() == 0, "proof: bytes after the report branch");
  if (!r.ok()) return error_at(r, "proof");
  return proof;
}

std::vector<ObligationLeaf> obligation_leaves(const SettlementReport& report, const ReferenceData& reference) {
  std::vector<ObligationLeaf> leaves;
  std::vector<int> leaf_of(reference.member_count(), -1);
  for (std::size_t m = 0; m < reference.member_count(); ++m) {
    const MemberInfo& member = reference.member(MemberIndex{static_cast<std::uint16_t>(m)});
    if (member.role != Role::kClearingMember) continue;
    leaf_of[m] = static_cast<int>(leaves.size());
    leaves.push_back(ObligationLeaf{report.business_date, member.id, {}});
  }
  for (const Obligation& o : report.obligations) {
    const int at = leaf_of.at(o.member.value);
    // Only clearing members are parties (reference_data.h), so only they owe.
    assert(at >= 0);
    leaves[static_cast<std::size_t>(at)].obligations.push_back(proven(o, reference));
  }
  return leaves;
}

EpochObligations prove_epoch_obligations(std::span<const SettlementReport> reports, const ReferenceData& reference) {
  EpochObligations out;
  if (reports.empty()) return out;
  assert(reports.size() <= kMerkleLeavesMax);
  std::vector<Digest> report_leaves;
  std::vector<MerkleTree> member_trees;
  std::vector<std::vector<ObligationLeaf>> leaves;
  std::vector<std::vector<Bytes>> encoded;
  for (const SettlementReport& report : reports) {
    leaves.push_back(obligation_leaves(report, reference));
    std::vector<Bytes> bytes;
    std::vector<Digest> hashes;
    for (const ObligationLeaf& leaf : leaves.back()) {
      bytes.push_back(encode_obligation_leaf(leaf));
      hashes.push_back(merkle_leaf_hash(kObligationLeafTag, bytes.back()));
    }
    // A genesis without clearing members has reports without leaves: their
    // root is zero and nobody has anything to prove.
    assert(hashes.size() <= kMerkleLeavesMax);
    member_trees.push_back(hashes.empty() ? MerkleTree{} : merkle_tree(hashes));
    report_leaves.push_back(
        report_leaf_hash(report.business_date, static_cast<std::uint32_t>(hashes.size()), member_trees.back().root));
    encoded.push_back(std::move(bytes));
  }
  MerkleTree epoch_tree = merkle_tree(report_leaves);
  out.root = epoch_tree.root;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    for (std::size_t m = 0; m < encoded[r].size(); ++m) {
      ObligationProof proof{std::move(encoded[r][m]),         static_cast<std::uint32_t>(m),
                            static_cast<std::uint32_t>(encoded[r].size()), std::move(member_trees[r].branches[m]),
                            static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(reports.size()),
                            epoch_tree.branches[r]};
      out.proofs.push_back({reports[r].business_date, leaves[r][m].member, std::move(proof)});
    }
  }
  return out;
}

std::variant<ObligationLeaf, ProofError> verify_obligations(const Digest& epoch_root, const ObligationProof& proof) {
  auto leaf = decode_obligation_leaf(proof.leaf);
  if (std::holds_alternative<ProofError>(leaf)) return leaf;
  const std::optional<Digest> report_root = merkle_root_from_branch(
      merkle_leaf_hash(kObligationLeafTag, proof.leaf), proof.leaf_index, proof.leaf_count, proof.branch);
  if (!report_root) return ProofError{"the member branch does not fit its index and leaf count"};
  const Digest report_leaf =
      report_leaf_hash(std::get<ObligationLeaf>(leaf).business_date, proof.leaf_count, *report_root);
  const std::optional<Digest> root =
      merkle_root_from_branch(report_leaf, proof.report_index, proof.report_count, proof.report_branch);
  if (!root) return ProofError{"the report branch does not fit its index and report count"};
  if (*root != epoch_root) return ProofError{"the branches lead to another root than the certified one"};
  return leaf;
}

}  // namespace quorumclear::settlement
