// Writes the seed corpus for settlement_batch_fuzz: valid batches that reach
// every entry kind and the ledger paths behind them (trades that confirm,
// duplicate and conflict, funding, a cut-off that nets and settles, a
// suspension), so the fuzzer mutates from meaningful inputs.
#include "settlement/codec.h"
#include "settlement/test_support.h"

#include <cstdio>
#include <string>
#include <vector>

namespace qs = quorumclear::settlement;
using qs::testing::acme_trade;
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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const qs::CutOff cutoff{qs::MemberId::of("OPS"), kWednesday};
  const qs::SuspensionChange suspend{qs::MemberId::of("OPS"), qs::ControlRef::of("S-1"),
                                     qs::Isin::of("US0378331005"), true};
  const std::vector<qs::Batch> batches = {
      {{acme_trade("T-1", "A", "B", 100, 1000, kWednesday)}},
      {{acme_trade("T-1", "A", "B", 100, 1000, kWednesday), acme_trade("T-1", "A", "B", 100, 1000, kWednesday),
        acme_trade("T-1", "A", "B", 101, 1000, kWednesday), acme_trade("T-2", "A", "C", 5, 99, kWednesday)}},
      {{cash("F-1", "A", 1'000'000), securities("F-2", "B", 500), acme_trade("T-3", "A", "B", 100, 1000, kWednesday),
        cutoff}},
      {{suspend, acme_trade("T-4", "A", "D", 1, 100'000, kWednesday)}},
      {{cutoff, acme_trade("T-5", "A", "B", 7, 250, kWednesday)}},
  };
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const qs::Bytes bytes = qs::encode_batch(batches[i]);
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(i);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) return 1;
    std::fclose(f);
  }
  return 0;
}
