#include "services/node/peer_wire.h"

#include "settlement/snapshot.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace quorumclear::node {
namespace {

constexpr std::uint64_t kNone = ~std::uint64_t{0};

class Writer {
 public:
  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint64_t v) { be(v, 2); }
  void u32(std::uint64_t v) { be(v, 4); }
  void u64(std::uint64_t v) { be(v, 8); }
  template <std::size_t N>
  void raw(const std::array<std::uint8_t, N>& a) { out.insert(out.end(), a.begin(), a.end()); }
  void raw(ByteView v) { out.insert(out.end(), v.begin(), v.end()); }
  Bytes out;

 private:
  void be(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
};

class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  std::uint64_t u8() { return be(1); }
  std::uint64_t u16() { return be(2); }
  std::uint64_t u32() { return be(4); }
  std::uint64_t u64() { return be(8); }
  template <std::size_t N>
  void raw(std::array<std::uint8_t, N>& a) {
    if (!need(N)) return;
    std::memcpy(a.data(), in_.data() + at_, N);
    at_ += N;
  }
  Bytes bytes(std::size_t n) {
    if (!need(n)) return {};
    Bytes out(in_.begin() + static_cast<std::ptrdiff_t>(at_), in_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
    at_ += n;
    return out;
  }
  [[nodiscard]] std::size_t left() const { return ok_ ? in_.size() - at_ : 0; }
  [[nodiscard]] bool done() const { return ok_ && at_ == in_.size(); }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  bool need(std::size_t n) {
    if (!ok_ || in_.size() - at_ < n) ok_ = false;
    return ok_;
  }
  std::uint64_t be(std::size_t n) {
    if (!need(n)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | in_[at_ + i];
    at_ += n;
    return v;
  }
  ByteView in_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

template <class Frame>
void write_digests(Writer& w, const Frame& f) {
  for (const quorum::Digest* d : {&f.output, &f.state, &f.audit, &f.snapshot, &f.obligations}) w.raw(*d);
}

template <class Frame>
void read_digests(Reader& r, Frame& f) {
  for (quorum::Digest* d : {&f.output, &f.state, &f.audit, &f.snapshot, &f.obligations}) r.raw(*d);
}

}  // namespace

std::uint32_t snapshot_wire_chunks(std::uint64_t total_bytes) {
  assert(total_bytes <= settlement::kSnapshotBytesMax);
  return static_cast<std::uint32_t>(total_bytes / kSnapshotWireChunkBytes +
                                    (total_bytes % kSnapshotWireChunkBytes != 0 ? 1 : 0));
}

Bytes encode(const SignatureFrame& f) {
  Writer w;
  w.u8(1);
  w.u64(f.epoch);
  write_digests(w, f);
  w.raw(f.signature);
  return std::move(w.out);
}

std::optional<SignatureFrame> decode_signature(ByteView bytes) {
  Reader r(bytes);
  SignatureFrame f;
  if (r.u8() != 1) return std::nullopt;
  f.epoch = r.u64();
  read_digests(r, f);
  r.raw(f.signature);
  if (!r.done()) return std::nullopt;
  return f;
}

Bytes encode(const CatchUpFrame& frame) {
  Writer w;
  if (const auto* q = std::get_if<CatchUpRequest>(&frame)) {
    w.u8(1);
    w.u64(q->from_epoch);
    w.u16(q->count);
  } else if (const auto* h = std::get_if<CatchUpEpochHead>(&frame)) {
    w.u8(2);
    w.u64(h->epoch);
    write_digests(w, *h);
    w.u16(h->batches);
    w.u16(h->signatures.size());
    for (const auto& [node, sig] : h->signatures) {
      w.u16(node.value);
      w.raw(sig);
    }
  } else if (const auto* b = std::get_if<CatchUpBatch>(&frame)) {
    w.u8(3);
    w.u64(b->epoch);
    w.u16(b->index);
    w.u16(b->proposer.value);
    w.u32(b->value.size());
    w.raw(b->value);
  } else if (const auto* u = std::get_if<CatchUpUnavailable>(&frame)) {
    w.u8(4);
    w.u64(u->from_epoch);
    w.u64(u->highest_applied.value_or(kNone));
  } else if (std::holds_alternative<ProgressRequest>(frame)) {
    w.u8(5);
  } else if (const auto* p = std::get_if<ProgressReport>(&frame)) {
    w.u8(6);
    for (const auto* v : {&p->entered, &p->applied, &p->frontier}) w.u64(v->value_or(kNone));
    w.u8(p->yours ? 1 : 0);
    if (p->yours) {
      w.u64(p->yours->epoch);
      write_digests(w, *p->yours);
      w.raw(p->yours->signature);
    }
  } else if (const auto* sq = std::get_if<SnapshotRequest>(&frame)) {
    w.u8(7);
    w.u64(sq->epoch);
    w.u32(sq->chunk);
  } else if (const auto* sc = std::get_if<SnapshotChunk>(&frame)) {
    w.u8(8);
    w.u64(sc->epoch);
    w.u64(sc->total_bytes);
    w.u32(sc->chunk);
    w.u32(sc->chunks);
    w.u32(sc->bytes.size());
    w.raw(sc->bytes);
  } else {
    w.u8(9);
    w.u64(std::get<SnapshotUnavailable>(frame).epoch);
  }
  return std::move(w.out);
}

std::optional<CatchUpFrame> decode_catch_up(ByteView bytes, std::size_t nodes) {
  Reader r(bytes);
  const std::uint64_t type = r.u8();
  CatchUpFrame out;
  if (type == 1) {
    CatchUpRequest q{r.u64(), static_cast<std::uint16_t>(r.u16())};
    if (q.count == 0 || q.count > kCatchUpEpochsMax) return std::nullopt;
    out = q;
  } else if (type == 2) {
    CatchUpEpochHead h;
    h.epoch = r.u64();
    read_digests(r, h);
    h.batches = static_cast<std::uint16_t>(r.u16());
    const std::uint64_t count = r.u16();
    if (h.batches > nodes || count > nodes || r.left() != count * 66) return std::nullopt;
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto node = static_cast<std::uint16_t>(r.u16());
      quorum::Signature sig{};
      r.raw(sig);
      if (node >= nodes) return std::nullopt;
      h.signatures.emplace_back(quorum::NodeId{node}, sig);
    }
    out = std::move(h);
  } else if (type == 3) {
    CatchUpBatch b;
    b.epoch = r.u64();
    b.index = static_cast<std::uint16_t>(r.u16());
    b.proposer = quorum::NodeId{static_cast<std::uint16_t>(r.u16())};
    const std::uint64_t length = r.u32();
    if (b.index >= nodes || b.proposer.value >= nodes || length > quorum::kBatchBytesMax ||
        r.left() != length) {
      return std::nullopt;
    }
    b.value = r.bytes(length);
    out = std::move(b);
  } else if (type == 4) {
    CatchUpUnavailable u;
    u.from_epoch = r.u64();
    const std::uint64_t highest = r.u64();
    if (highest != kNone) u.highest_applied = highest;
    out = u;
  } else if (type == 5) {
    out = ProgressRequest{};
  } else if (type == 6) {
    ProgressReport p;
    for (auto* v : {&p.entered, &p.applied, &p.frontier}) {
      const std::uint64_t e = r.u64();
      if (e != kNone) *v = e;
    }
    const std::uint64_t has_yours = r.u8();
    if (has_yours > 1) return std::nullopt;
    if (has_yours == 1) {
      SignatureFrame s;
      s.epoch = r.u64();
      read_digests(r, s);
      r.raw(s.signature);
      p.yours = s;
    }
    out = p;
  } else if (type == 7) {
    out = SnapshotRequest{r.u64(), static_cast<std::uint32_t>(r.u32())};
  } else if (type == 8) {
    SnapshotChunk c;
    c.epoch = r.u64();
    c.total_bytes = r.u64();
    c.chunk = static_cast<std::uint32_t>(r.u32());
    c.chunks = static_cast<std::uint32_t>(r.u32());
    const std::uint64_t length = r.u32();
    if (c.total_bytes == 0 || c.total_bytes > settlement::kSnapshotBytesMax ||
        c.chunks != snapshot_wire_chunks(c.total_bytes) || c.chunk >= c.chunks) {
      return std::nullopt;
    }
    // Every chunk is full but the last, which holds the rest.
    const std::uint64_t offset = std::uint64_t{c.chunk} * kSnapshotWireChunkBytes;
    const std::uint64_t expected = std::min<std::uint64_t>(kSnapshotWireChunkBytes, c.total_bytes - offset);
    if (length != expected || r.left() != length) return std::nullopt;
    c.bytes = r.bytes(length);
    out = std::move(c);
  } else if (type == 9) {
    out = SnapshotUnavailable{r.u64()};
  } else {
    return std::nullopt;
  }
  if (!r.done()) return std::nullopt;
  return out;
}

}  // namespace quorumclear::node
