#include "services/node/pending_entries.h"

#include "settlement/codec.h"

#include <cassert>

namespace quorumclear::node {

std::string PendingEntries::key_of(std::string_view submitter, std::string_view trade_id,
                                   const settlement::Digest& hash) {
  // Member ids and trade ids never contain NUL, so the separator is unambiguous.
  std::string key;
  key.reserve(submitter.size() + trade_id.size() + 2 + hash.size());
  key.append(submitter).push_back('\0');
  key.append(trade_id).push_back('\0');
  key.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return key;
}

bool PendingEntries::add(ReceivedEntry e) {
  std::string key = key_of(e.submitter, e.trade_id, e.content_hash);
  const std::uint64_t sequence = next_sequence_;
  const auto [it, inserted] = items_.try_emplace(key, Item{sequence, 0, false, std::move(e.entry)});
  if (!inserted) return false;
  ++next_sequence_;
  ready_.emplace(sequence, std::move(key));
  return true;
}

bool PendingEntries::decided(std::string_view submitter, std::string_view trade_id,
                             const settlement::Digest& content_hash) {
  const auto it = items_.find(key_of(submitter, trade_id, content_hash));
  if (it == items_.end()) return false;
  if (it->second.in_flight) {
    auto [first, last] = flight_.equal_range(it->second.last_carrier);
    for (; first != last; ++first) {
      if (first->second == it->first) {
        flight_.erase(first);
        break;
      }
    }
  } else {
    ready_.erase(it->second.sequence);
  }
  items_.erase(it);
  return true;
}

std::size_t PendingEntries::take(std::size_t entries_max, std::size_t bytes_max,
                                 std::uint64_t last_carrier,
                                 std::vector<const settlement::Bytes*>& out) {
  std::size_t taken = 0;
  std::size_t bytes = 0;
  while (!ready_.empty() && taken < entries_max) {
    const auto front = ready_.begin();
    Item& item = items_.at(front->second);
    if (bytes + item.entry.size() > bytes_max) break;
    bytes += item.entry.size();
    item.in_flight = true;
    item.last_carrier = last_carrier;
    out.push_back(&item.entry);
    flight_.emplace(last_carrier, std::move(front->second));
    ready_.erase(front);
    ++taken;
  }
  return taken;
}

void PendingEntries::output(std::uint64_t epoch) {
  while (!flight_.empty() && flight_.begin()->first <= epoch) {
    const auto front = flight_.begin();
    Item& item = items_.at(front->second);
    assert(item.in_flight);
    item.in_flight = false;
    ready_.emplace(item.sequence, std::move(front->second));
    flight_.erase(front);
  }
}

settlement::Bytes assemble_batch(const std::vector<const settlement::Bytes*>& entries) {
  std::size_t size = 5;
  for (const settlement::Bytes* e : entries) size += e->size();
  settlement::Bytes out;
  out.reserve(size);
  out.push_back(settlement::kBatchVersion);
  const auto count = static_cast<std::uint32_t>(entries.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(count >> shift));
  for (const settlement::Bytes* e : entries) out.insert(out.end(), e->begin(), e->end());
  return out;
}

}  // namespace quorumclear::node
