#include "services/cli/load_plan.h"

#include <algorithm>
#include <cmath>

namespace quorumclear::cli {
namespace {

std::string decimal(std::int64_t units, int scale) {
  std::string digits = std::to_string(units);
  if (scale == 0) return digits;
  if (digits.size() <= static_cast<std::size_t>(scale)) digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
  digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
  return digits;
}

}  // namespace

std::variant<LoadUniverse, std::string> load_universe(const settlement::Genesis& genesis, const std::string& open_date,
                                                      std::optional<std::uint16_t> excluded_node) {
  LoadUniverse u;
  const auto takes_part = [&](const settlement::MemberDef& m) { return m.node && m.node != excluded_node; };
  for (const settlement::MemberDef& m : genesis.members) {
    if (m.role == settlement::Role::kClearingMember && takes_part(m)) {
      u.clearing.push_back({std::string(m.id.view()), *m.node});
    }
  }
  if (u.clearing.size() < 2) return std::string("genesis has fewer than two clearing members with a running node");
  for (const settlement::MemberDef& m : genesis.members) {
    if (m.role != settlement::Role::kTradingVenue || !takes_part(m)) continue;
    LoadUniverse::Venue venue{{std::string(m.id.view()), *m.node}, {}};
    for (const settlement::VenueMemberDef& p : genesis.venue_members) {
      const bool active = std::any_of(u.clearing.begin(), u.clearing.end(),
                                      [&](const LoadParty& c) { return c.member == p.member.view(); });
      if (p.venue == m.id && active) venue.members.emplace_back(p.member.view());
    }
    if (venue.members.size() >= 2) u.venues.push_back(std::move(venue));
  }
  for (const settlement::InstrumentDef& i : genesis.instruments) {
    if (i.suspended) continue;
    u.instruments.push_back({std::string(i.isin.view()), std::string(i.currency.view()), i.price_scale,
                             i.band_low.units, i.band_high.units});
  }
  if (u.instruments.empty()) return std::string("genesis has no tradable instrument");
  u.trade_date = open_date;
  u.settlement_date = open_date;
  return u;
}

LoadPlan::LoadPlan(LoadUniverse universe, LoadMix mix, std::uint64_t seed, std::string prefix)
    : universe_(std::move(universe)), mix_(mix), state_(seed), prefix_(std::move(prefix)) {}

// splitmix64: the same sequence for the same seed on every machine.
std::uint64_t LoadPlan::random() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string LoadPlan::body(const std::string& id, const std::string& buyer, const std::string& seller,
                           const LoadInstrument& instrument, std::int64_t quantity, std::int64_t price) const {
  return "{\"trade_id\":\"" + id + "\",\"buyer\":\"" + buyer + "\",\"seller\":\"" + seller + "\",\"isin\":\"" +
         instrument.isin + "\",\"quantity\":" + std::to_string(quantity) + ",\"price\":\"" +
         decimal(price, instrument.price_scale) + "\",\"currency\":\"" + instrument.currency +
         "\",\"trade_date\":\"" + universe_.trade_date + "\",\"settlement_date\":\"" + universe_.settlement_date +
         "\"}";
}

LoadTrade LoadPlan::next() {
  LoadTrade t;
  t.trade_id = prefix_ + std::to_string(sequence_++);
  const LoadInstrument& instrument = universe_.instruments[random() % universe_.instruments.size()];
  // Low in the band and small, so a long run stays within members' gross
  // notional limits; a little above the bottom, so every price is valid.
  const std::int64_t width = instrument.band_high - instrument.band_low;
  const std::int64_t span = std::max<std::int64_t>(1, width / 100);
  const std::int64_t price = instrument.band_low + span + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(span));
  const auto quantity = static_cast<std::int64_t>(1 + random() % 10);
  const double draw = uniform();
  const bool invalid = draw < mix_.invalid_share;
  const bool venue = !invalid && !universe_.venues.empty() &&
                     uniform() < mix_.venue_share;
  if (venue) {
    const LoadUniverse::Venue& v = universe_.venues[random() % universe_.venues.size()];
    const std::size_t b = random() % v.members.size();
    const std::size_t s = (b + 1 + random() % (v.members.size() - 1)) % v.members.size();
    t.kind = LoadKind::kVenue;
    t.reports.push_back({v.venue.node, v.venue.member, body(t.trade_id, v.members[b], v.members[s], instrument,
                                                            quantity, price)});
    return t;
  }
  const std::size_t b = random() % universe_.clearing.size();
  const std::size_t s = (b + 1 + random() % (universe_.clearing.size() - 1)) % universe_.clearing.size();
  const LoadParty& buyer = universe_.clearing[b];
  const LoadParty& seller = universe_.clearing[s];
  if (invalid) {
    // Outside the band: validation refuses it at the submitter's node (422).
    t.kind = LoadKind::kInvalid;
    t.reports.push_back({buyer.node, buyer.member,
                         body(t.trade_id, buyer.member, seller.member, instrument, quantity,
                              instrument.band_low >= 2 ? instrument.band_low / 2 : instrument.band_high * 2)});
    return t;
  }
  t.kind = LoadKind::kTwoSided;
  const std::string report = body(t.trade_id, buyer.member, seller.member, instrument, quantity, price);
  t.reports.push_back({buyer.node, buyer.member, report});
  t.reports.push_back({seller.node, seller.member, report});
  return t;
}

LatencyPercentiles percentiles(std::vector<double>& samples) {
  LatencyPercentiles p;
  p.count = samples.size();
  if (samples.empty()) return p;
  std::sort(samples.begin(), samples.end());
  const auto rank = [&](double q) {
    const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
    return samples[std::min(samples.size() - 1, k == 0 ? 0 : k - 1)];
  };
  p.p50 = rank(0.50);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.max = samples.back();
  return p;
}

}  // namespace quorumclear::cli
