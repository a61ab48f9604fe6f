// Measures NodeStore::apply_epoch on the private PostgreSQL (QC_PG_URL,
// ops/pg.sh; fsync and synchronous commit on): epochs of 4,000 booked
// trades, each written in one transaction, COPY against multi-row INSERT.
//  - two-sided: every epoch carries 4,000 new first sides and the 4,000
//    second sides of the previous epoch's trades: 8,000 new report rows,
//    4,000 updates of the previous epoch's rows (ALLEGED -> CONFIRMED),
//    4,000 trades booked.
//  - locked-in: 4,000 venue trades, one report each.
// Positions touched per epoch: 30 members x 200 instruments, random pairs.
// Also: COPY with 0009's dropped foreign keys put back on positions and
// cash_positions, to show what they cost.
//   store_bench [--epochs N] [--only NAME]   (default 12 measured, after 2 warm-up;
//                                            NAME: a variant's name or part of it)
// Prints a markdown table; no timing is asserted anywhere.
#include "services/store/node_store.h"
#include "settlement/ledger.h"
#include "settlement/test_support.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <time.h>
#include <unistd.h>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMembers = 30;
constexpr std::size_t kInstruments = 200;
constexpr std::size_t kTradesPerEpoch = 4'000;
constexpr std::uint16_t kProposers = 4;
constexpr int kWarmup = 2;

std::string member(std::size_t i) { return "M" + std::to_string(i); }

Genesis bench_genesis() {
  Genesis g = settlement::testing::nodeless_members_genesis(kMembers, member);
  g.members.push_back({MemberId::of("VENUE"), "Venue", Role::kTradingVenue, std::nullopt});
  for (std::size_t m = 0; m < kMembers; ++m) g.venue_members.push_back({MemberId::of("VENUE"), MemberId::of(member(m))});
  for (std::size_t i = 0; i < kInstruments; ++i) {
    g.instruments.push_back({settlement::testing::synthetic_isin(i), CurrencyCode::of("EUR"), 2, Price{100},
                             Price{100'000}, false});
  }
  g.first_business_date = settlement::testing::kWednesday;
  g.max_open_reports_per_member = 1'000'000;
  return g;
}

// Trades with ids unique across the run, so every epoch's are new.
class TradeSource {
 public:
  std::vector<Trade> next(std::size_t count) {
    std::vector<Trade> out;
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t buyer = rng_() % kMembers;
      const std::size_t seller = (buyer + 1 + rng_() % (kMembers - 1)) % kMembers;
      Trade t = settlement::testing::acme_trade("B" + std::to_string(id_++), member(buyer), member(seller),
                                                static_cast<std::int64_t>(1 + rng_() % 100),
                                                static_cast<std::int64_t>(900 + rng_() % 201),
                                                settlement::testing::kWednesday);
      t.isin = settlement::testing::synthetic_isin(rng_() % kInstruments);
      out.push_back(t);
    }
    return out;
  }

 private:
  std::mt19937_64 rng_{7};
  std::uint64_t id_ = 0;
};

// Entries spread over the proposers' batches.
std::vector<std::pair<std::uint16_t, Bytes>> batches_of(const std::vector<Entry>& entries) {
  std::vector<std::vector<Entry>> split(kProposers);
  for (std::size_t i = 0; i < entries.size(); ++i) split[i % kProposers].push_back(entries[i]);
  std::vector<std::pair<std::uint16_t, Bytes>> out;
  for (std::uint16_t p = 0; p < kProposers; ++p) out.emplace_back(p, settlement::testing::batch_of(split[p]));
  return out;
}

// One epoch's entries: two-sided = this epoch's first sides and the
// previous epoch's second sides; locked-in = venue trades.
std::vector<Entry> epoch_entries(bool two_sided, TradeSource& source, std::vector<Trade>& pending) {
  std::vector<Entry> entries;
  std::vector<Trade> fresh = source.next(kTradesPerEpoch);
  if (!two_sided) {
    for (Trade& t : fresh) {
      t.submitter = MemberId::of("VENUE");
      entries.emplace_back(t);
    }
    return entries;
  }
  for (const Trade& t : fresh) entries.emplace_back(t);
  for (const Trade& t : pending) entries.emplace_back(settlement::testing::counter_report(t));
  pending = std::move(fresh);
  return entries;
}

class BenchDatabase {
 public:
  explicit BenchDatabase(const std::string& admin) : admin_(admin) {
    static int counter = 0;
    name_ = "qc_bench_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    url_ = admin.substr(0, admin.rfind('/') + 1) + name_;
    pqxx::connection db(admin_);
    pqxx::nontransaction tx(db);
    tx.exec("CREATE DATABASE " + name_);
    if (std::getenv("QC_BENCH_LOG") != nullptr) tx.exec("ALTER DATABASE " + name_ + " SET log_min_duration_statement = 0");
  }
  ~BenchDatabase() {
    try {
      pqxx::connection db(admin_);
      pqxx::nontransaction tx(db);
      tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
    }
  }
  BenchDatabase(const BenchDatabase&) = delete;
  BenchDatabase& operator=(const BenchDatabase&) = delete;
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  std::string admin_, name_, url_;
};

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// One configuration: its own database, ledger and store, fed the same
// epochs as the others.
struct Variant {
  const char* name;
  BulkMethod bulk;
  bool two_sided;
  const char* setup_sql;  // run after the migrations, e.g. to put foreign keys back
};

class Run {
 public:
  Run(const std::string& admin, const Variant& v)
      : variant_(v), pg_(admin), ledger_(settlement::testing::load(bench_genesis())),
        store_(pg_.url(), options(v)) {
    store_.migrate();
    store_.init_network(ledger_.reference(), Digest{}, 0);
    if (*v.setup_sql != '\0') {
      pqxx::connection db(pg_.url());
      pqxx::work tx(db);
      tx.exec(v.setup_sql);
      tx.commit();
    }
  }

  // Applies the next epoch; returns the milliseconds apply_epoch took
  // (wall), and adds its CPU time in this process to cpu_ms.
  double step(double& cpu_ms) {
    const auto batches = batches_of(epoch_entries(variant_.two_sided, source_, pending_));
    std::vector<EpochBatch> views;
    for (const auto& [p, bytes] : batches) views.push_back(EpochBatch{p, bytes});
    const EpochResult r = ledger_.apply(epoch_, views);
    const Digest output = sha256(batches.front().second);
    const Digest next = audit_link(head_, epoch_, output, r.state_digest);
    const double cpu_start = thread_cpu_ms();
    const Clock::time_point start = Clock::now();
    store_.apply_epoch(EpochToWrite{epoch_, views, r, ledger_.reference(), output, next});
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    cpu_ms += thread_cpu_ms() - cpu_start;
    head_ = next;
    ++epoch_;
    report_rows_ = r.trades.size();
    updates_ = r.transitions.size();
    positions_ = r.positions.size();
    return ms;
  }

  const Variant& variant() const { return variant_; }
  std::size_t report_rows() const { return report_rows_; }
  std::size_t updates() const { return updates_; }
  std::size_t positions() const { return positions_; }

 private:
  static StoreOptions options(const Variant& v) {
    StoreOptions o;
    o.bulk = v.bulk;
    return o;
  }
  Variant variant_;
  BenchDatabase pg_;
  Ledger ledger_;
  NodeStore store_;
  TradeSource source_;
  std::vector<Trade> pending_;
  Digest head_{};
  std::uint64_t epoch_ = 0;
  std::size_t report_rows_ = 0, updates_ = 0, positions_ = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace quorumclear::store

int main(int argc, char** argv) {
  using namespace quorumclear::store;
  int epochs = 12;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      epochs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::cerr << "usage: store_bench [--epochs N] [--only SUBSTRING-OF-A-VARIANT-NAME]\n";
      return 2;
    }
  }
  const char* admin = std::getenv("QC_PG_URL");
  if (admin == nullptr || *admin == '\0') {
    std::cerr << "QC_PG_URL is not set: ops/pg.sh start; export QC_PG_URL=$(ops/pg.sh url)\n";
    return 2;
  }
  const Variant variants[] = {
      {"two-sided, COPY", BulkMethod::kCopy, true, ""},
      {"two-sided, multi-row INSERT", BulkMethod::kValues, true, ""},
      {"two-sided, COPY, positions with foreign keys", BulkMethod::kCopy, true,
       "ALTER TABLE positions ADD FOREIGN KEY (member_id) REFERENCES members, "
       "ADD FOREIGN KEY (isin) REFERENCES instruments, ADD FOREIGN KEY (last_epoch) REFERENCES epochs;"
       "ALTER TABLE cash_positions ADD FOREIGN KEY (member_id) REFERENCES members, "
       "ADD FOREIGN KEY (currency) REFERENCES currencies, ADD FOREIGN KEY (last_epoch) REFERENCES epochs;"},
      {"two-sided, COPY, trades fillfactor 80", BulkMethod::kCopy, true, "ALTER TABLE trades SET (fillfactor = 80)"},
      {"two-sided, COPY, positions fillfactor 100", BulkMethod::kCopy, true,
       "ALTER TABLE positions SET (fillfactor = 100); ALTER TABLE cash_positions SET (fillfactor = 100)"},
      {"locked-in, COPY", BulkMethod::kCopy, false, ""},
      {"locked-in, multi-row INSERT", BulkMethod::kValues, false, ""}};
  std::vector<std::unique_ptr<Run>> runs;
  // --only: the variant of exactly that name, else every one containing it.
  const bool exact = std::any_of(std::begin(variants), std::end(variants), [&](const Variant& v) { return only == v.name; });
  for (const Variant& v : variants) {
    const std::string name = v.name;
    if (exact ? name == only : name.find(only) != std::string::npos) runs.push_back(std::make_unique<Run>(admin, v));
  }
  // Round robin, epoch by epoch: whatever else the machine runs slows every
  // variant alike, so the rows of one run compare.
  std::vector<std::vector<double>> times(runs.size());
  std::vector<double> cpu(runs.size(), 0.0);
  for (int e = 0; e < kWarmup + epochs; ++e) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      double cpu_ms = 0;
      const double ms = runs[i]->step(cpu_ms);
      if (e < kWarmup) continue;
      times[i].push_back(ms);
      cpu[i] += cpu_ms;
    }
  }
  std::cout << "| apply_epoch, 4,000 trades per epoch, " << epochs << " epochs | median ms | min ms | max ms | "
            << "client cpu ms (mean) | report rows | row updates | positions | booked trades/s (median) |\n"
            << "|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Run& r = *runs[i];
    const double med = median(times[i]);
    std::cout << "| " << r.variant().name << " | " << med << " | "
              << *std::min_element(times[i].begin(), times[i].end()) << " | "
              << *std::max_element(times[i].begin(), times[i].end()) << " | "
              << cpu[i] / static_cast<double>(times[i].size()) << " | " << r.report_rows() << " | "
              << r.updates() << " | " << r.positions() << " | "
              << static_cast<long>(static_cast<double>(kTradesPerEpoch) / (med / 1000.0)) << " |\n";
  }
  return 0;
}
