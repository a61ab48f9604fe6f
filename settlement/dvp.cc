#include "settlement/dvp.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace quorumclear::settlement {

Balances::Balances(std::size_t accounts, std::size_t currencies)
    : cash_(accounts * currencies, 0), currencies_(currencies) {}

std::int64_t Balances::get(AccountIndex account, AssetKind kind, std::uint32_t asset) const {
  if (kind == AssetKind::kCash) return cash_.at(account.value * currencies_ + asset);
  const std::int64_t* amount = securities_.find(cell_key(account.value, asset));
  return amount ? *amount : 0;
}

void Balances::add(AccountIndex account, AssetKind kind, std::uint32_t asset,
                   std::int64_t delta) {
  std::int64_t& amount = kind == AssetKind::kCash
                             ? cash_.at(account.value * currencies_ + asset)
                             : securities_[cell_key(account.value, asset)];
  std::int64_t result = 0;
  [[maybe_unused]] const bool fits = !__builtin_add_overflow(amount, delta, &result);
  assert(fits && result >= 0 && "a balance would overflow or go negative");
  amount = result;
}

namespace {

using AssetKey = std::pair<AssetKind, std::uint32_t>;

/// One member's bundle, netted per asset.
struct MemberNet {
  MemberIndex member;
  std::vector<std::pair<AssetKey, Int128>> nets;  // sorted by asset, none zero
  Reason fail = Reason::kNone;
};

std::vector<MemberNet> net_per_member(const std::vector<Obligation>& bundle) {
  std::map<std::tuple<MemberIndex, AssetKind, std::uint32_t>, Int128> sums;
  for (const Obligation& o : bundle) sums[{o.member, o.kind, o.asset}] += o.net_amount;
  std::vector<MemberNet> members;
  for (const auto& [key, net] : sums) {
    const auto [member, kind, asset] = key;
    if (members.empty() || members.back().member != member) {
      members.push_back(MemberNet{member, {}, Reason::kNone});
    }
    if (net != 0) members.back().nets.emplace_back(AssetKey{kind, asset}, net);
  }
  return members;
}

// Step 1: the pre-run balance must cover every net outflow.
void check_cover(std::vector<MemberNet>& members, const Balances& balances) {
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  for (MemberNet& m : members) {
    const AccountIndex account{m.member.value};
    for (const auto& [asset, net] : m.nets) {
      const Int128 held = balances.get(account, asset.first, asset.second);
      if (held + net < 0) {
        m.fail = asset.first == AssetKind::kSecurities ? Reason::kInsufficientSecurities
                                                       : Reason::kInsufficientCash;
        break;
      }
      if (held + net > kMax) {
        m.fail = Reason::kBalanceOverflow;
        break;
      }
    }
  }
}

// Step 2: drop receivers until the CCP can pay every receipt of the rest.
void check_ccp(std::vector<MemberNet>& members, const Balances& balances, AccountIndex ccp) {
  for (;;) {
    std::map<AssetKey, Int128> ccp_after;
    for (const MemberNet& m : members) {
      if (m.fail != Reason::kNone) continue;
      for (const auto& [asset, net] : m.nets) ccp_after[asset] -= net;
    }
    const auto short_asset = std::find_if(ccp_after.begin(), ccp_after.end(), [&](const auto& e) {
      return balances.get(ccp, e.first.first, e.first.second) + e.second < 0;
    });
    if (short_asset == ccp_after.end()) return;
    // The asset is short, so someone still in the set receives it.
    auto receiver = std::find_if(members.rbegin(), members.rend(), [&](const MemberNet& m) {
      if (m.fail != Reason::kNone) return false;
      return std::any_of(m.nets.begin(), m.nets.end(), [&](const auto& n) {
        return n.first == short_asset->first && n.second > 0;
      });
    });
    assert(receiver != members.rend());
    receiver->fail = Reason::kCcpShortfall;
  }
}

}  // namespace

std::vector<BalanceKey> settle_bundle(std::vector<Obligation>& bundle, Balances& balances,
                                      AccountIndex ccp) {
  std::vector<MemberNet> members = net_per_member(bundle);
  check_cover(members, balances);
  check_ccp(members, balances, ccp);
  std::vector<BalanceKey> changed;
  std::set<AssetKey> ccp_changed;
  // Pay-ins first, then pay-outs: step 2 checked the CCP's end state, and
  // this order keeps every intermediate balance non-negative too.
  for (const bool pay_in : {true, false}) {
    for (const MemberNet& m : members) {
      if (m.fail != Reason::kNone) continue;
      for (const auto& [asset, net] : m.nets) {
        if ((net < 0) != pay_in) continue;
        const auto amount = static_cast<std::int64_t>(net);
        balances.add(AccountIndex{m.member.value}, asset.first, asset.second, amount);
        balances.add(ccp, asset.first, asset.second, -amount);
        changed.push_back(BalanceKey{AccountIndex{m.member.value}, asset.first, asset.second});
        ccp_changed.insert(asset);
      }
    }
  }
  for (const AssetKey& asset : ccp_changed) {
    changed.push_back(BalanceKey{ccp, asset.first, asset.second});
  }
  for (Obligation& o : bundle) {
    const auto m = std::lower_bound(
        members.begin(), members.end(), o.member,
        [](const MemberNet& n, MemberIndex member) { return n.member < member; });
    assert(m != members.end() && m->member == o.member);
    o.status = m->fail == Reason::kNone ? ObligationStatus::kSettled : ObligationStatus::kFailed;
    o.fail_reason = m->fail;
  }
  return changed;
}

}  // namespace quorumclear::settlement
