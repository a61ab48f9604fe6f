// Proves that each constraint protecting money in the v1 schema rejects a bad
// row in PostgreSQL itself, so that no code path, script or hand-typed SQL
// can store an impossible trade, position, balance, epoch or audit entry.
#include "services/store/migrations.h"
#include "tests/integration/pg_test_database.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

namespace quorumclear::store {
namespace {

using quorumclear::testing::PgTestDatabase;
using quorumclear::testing::sqlstate_of;

constexpr const char* kOk = "";
constexpr const char* kCheck = "23514";
constexpr const char* kUnique = "23505";
constexpr const char* kForeignKey = "23503";
constexpr const char* kNotNull = "23502";
constexpr const char* kNotAnInteger = "22P02";
constexpr const char* kRaised = "P0001";  // RAISE EXCEPTION in a trigger

const std::string kZero32 = "decode(repeat('00', 32), 'hex')";

const char* kSeed = R"sql(
  INSERT INTO currencies VALUES ('EUR', 2), ('USD', 2);
  INSERT INTO members (member_id, name, role, node_id) VALUES
    ('A', 'Alpha Bank', 'CLEARING_MEMBER', 0),
    ('B', 'Beta Securities', 'CLEARING_MEMBER', 1),
    ('C', 'Gamma Capital', 'CLEARING_MEMBER', 2),
    ('OPS', 'Network operator', 'OPERATOR', NULL),
    ('CCP', 'The network as central counterparty', 'CENTRAL_COUNTERPARTY', NULL);
  INSERT INTO instruments VALUES ('DE0007164600', 'EUR', 4, 1000, 100000000, false);
  INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count)
    VALUES (0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'),
            decode(repeat('00', 32), 'hex'), 4, 1);
  INSERT INTO node_state (network_id, node_id, last_applied_epoch)
    VALUES (decode(repeat('11', 32), 'hex'), 0, 0);
  INSERT INTO settlement_runs VALUES ('2026-11-26', 0, '2026-11-25', decode(repeat('00', 32), 'hex'), 'NETTED');
)sql";

// A valid trade row; each case overrides the columns it wants to break.
std::string trade(std::map<std::string, std::string> overrides = {}) {
  std::map<std::string, std::string> cols = {
      {"submitter", "'A'"},           {"trade_id", "'T-1'"},
      {"buyer", "'A'"},               {"seller", "'B'"},
      {"isin", "'DE0007164600'"},     {"quantity", "100"},
      {"price", "105000"},            {"currency", "'EUR'"},         {"price_scale", "4"},
      {"consideration_minor", "105000"}, {"trade_date", "'2026-11-25'"},
      {"settlement_date", "'2026-11-26'"}, {"content_hash", kZero32},
      {"status", "'RECEIVED'"},       {"reject_reason", "NULL"},
      {"epoch", "NULL"}};
  for (auto& [k, v] : overrides) cols[k] = v;
  std::string names, values;
  for (auto& [k, v] : cols) {
    names += (names.empty() ? "" : ", ") + k;
    values += (values.empty() ? "" : ", ") + v;
  }
  return "INSERT INTO trades (" + names + ") VALUES (" + values + ");";
}

std::string position(const std::string& bought, const std::string& sold, const std::string& net) {
  return "INSERT INTO positions VALUES ('A', 'DE0007164600', '2026-11-26', " + bought + ", " + sold +
         ", " + net + ", 0);";
}

// A vote for the cut-off of 2026-11-25 at position `seq` of epoch 0.
std::string control_vote(int seq, const std::string& proposer, const std::string& status,
                         const std::string& votes) {
  return "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, business_date, status, votes) "
         "VALUES (0, " + std::to_string(seq) + ", " + proposer + ", 'CUTOFF', decode(repeat('ab', 32), 'hex'), "
         "'2026-11-25', " + status + ", " + votes + ");";
}

// Audit entry `seq` whose hash is computed by PostgreSQL from `prev`.
std::string audit(int seq, const std::string& prev, const std::string& record) {
  return "INSERT INTO audit_log (seq, epoch, kind, actor, record, prev_hash, entry_hash) VALUES (" +
         std::to_string(seq) + ", 0, 'TRADE_CONFIRMED', 'A', " + record + ", " + prev + ", sha256(" +
         prev + " || " + record + "));";
}
const std::string kAuditFirst = audit(1, kZero32, "'\\x01'::bytea");
const std::string kAuditSecond =
    audit(2, "(SELECT entry_hash FROM audit_log WHERE seq = 1)", "'\\x02'::bytea");

struct Case {
  const char* name;
  std::string sql;
  const char* sqlstate;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // Controls: the valid rows the other cases break are themselves accepted.
      {"valid_trade_accepted", trade(), kOk},
      {"valid_positions_accepted", position("100", "30", "70"), kOk},
      {"valid_audit_chain_accepted", kAuditFirst + kAuditSecond, kOk},
      // Trades.
      {"quantity_zero", trade({{"quantity", "0"}}), kCheck},
      {"quantity_negative", trade({{"quantity", "-5"}}), kCheck},
      {"quantity_fractional", trade({{"quantity", "'10.5'"}}), kNotAnInteger},
      {"price_zero", trade({{"price", "0"}}), kCheck},
      {"price_fractional", trade({{"price", "'10.50'"}}), kNotAnInteger},
      {"buyer_is_seller", trade({{"seller", "'A'"}}), kCheck},
      {"submitter_not_a_party", trade({{"submitter", "'C'"}}), kCheck},
      {"price_scale_out_of_range", trade({{"price_scale", "10"}}), kCheck},
      {"confirmed_without_booked_dates", trade({{"status", "'CONFIRMED'"}, {"epoch", "0"}}), kCheck},
      {"booked_before_trade_date",
       trade({{"status", "'CONFIRMED'"}, {"epoch", "0"}, {"business_date", "'2026-11-24'"},
              {"effective_settlement_date", "'2026-11-26'"}}), kCheck},
      {"rolled_settlement_before_submitted",
       trade({{"status", "'CONFIRMED'"}, {"epoch", "0"}, {"business_date", "'2026-11-25'"},
              {"effective_settlement_date", "'2026-11-25'"}}), kCheck},
      {"settles_before_trade_date", trade({{"settlement_date", "'2026-11-24'"}}), kCheck},
      {"unknown_member", trade({{"seller", "'ZZ'"}}), kForeignKey},
      {"unknown_instrument", trade({{"isin", "'US0378331005'"}}), kForeignKey},
      {"unknown_currency", trade({{"currency", "'XXX'"}}), kForeignKey},
      {"missing_quantity", trade({{"quantity", "NULL"}}), kNotNull},
      {"duplicate_trade_id", trade() + trade({{"quantity", "200"}}), kUnique},
      {"rejected_without_reason", trade({{"status", "'REJECTED'"}, {"epoch", "0"}}), kCheck},
      {"reason_on_confirmed",
       trade({{"status", "'CONFIRMED'"}, {"epoch", "0"}, {"reject_reason", "'LIMIT'"},
              {"business_date", "'2026-11-25'"}, {"effective_settlement_date", "'2026-11-26'"}}), kCheck},
      {"confirmed_without_epoch",
       trade({{"status", "'CONFIRMED'"}, {"business_date", "'2026-11-25'"},
              {"effective_settlement_date", "'2026-11-26'"}}), kCheck},
      {"valid_confirmed_rolled_trade_accepted",
       trade({{"status", "'CONFIRMED'"}, {"epoch", "0"}, {"business_date", "'2026-11-26'"},
              {"effective_settlement_date", "'2026-11-27'"}}), kOk},
      {"unknown_status", trade({{"status", "'MAYBE'"}}), kCheck},
      {"bad_trade_id", trade({{"trade_id", "'has space'"}}), kCheck},
      {"short_content_hash", trade({{"content_hash", "'\\x00'::bytea"}}), kCheck},
      // Reference data.
      {"lower_case_currency", "INSERT INTO currencies VALUES ('eur', 2);", kCheck},
      {"currency_too_many_decimals", "INSERT INTO currencies VALUES ('JPX', 7);", kCheck},
      {"malformed_isin", "INSERT INTO instruments VALUES ('DE000716460', 'EUR', 4, 1, 2, false);", kCheck},
      {"inverted_price_band", "INSERT INTO instruments VALUES ('US0378331005', 'EUR', 4, 20, 10, false);", kCheck},
      {"unknown_member_role", "INSERT INTO members VALUES ('D', 'Delta', 'ADMIN', NULL);", kCheck},
      {"second_ccp", "INSERT INTO members VALUES ('CCP2', 'Another CCP', 'CENTRAL_COUNTERPARTY', NULL);", kUnique},
      {"ccp_running_a_node", "UPDATE members SET node_id = 9 WHERE member_id = 'CCP';", kCheck},
      {"valid_ccp_balance_accepted", "INSERT INTO cash_balances VALUES ('CCP', 'EUR', 1000000);", kOk},
      // Epochs: applying one twice must fail, not double count.
      {"epoch_applied_twice",
       "INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count) "
       "VALUES (0, " + kZero32 + ", " + kZero32 + ", " + kZero32 + ", 4, 1);", kUnique},
      {"short_epoch_signature", "INSERT INTO epoch_signatures VALUES (0, 1, '\\x00'::bytea);", kCheck},
      {"node_state_skips_an_epoch", "UPDATE node_state SET last_applied_epoch = 2;", kRaised},
      {"node_state_goes_back", "UPDATE node_state SET last_applied_epoch = -1;", kRaised},
      {"second_node_state_row",
       "INSERT INTO node_state (network_id, node_id) VALUES (" + kZero32 + ", 1);", kUnique},
      // Positions and balances.
      {"position_net_not_bought_minus_sold", position("100", "30", "71"), kCheck},
      {"position_negative_bought", position("-1", "0", "-1"), kCheck},
      {"cash_net_not_received_minus_paid",
       "INSERT INTO cash_positions VALUES ('A', 'EUR', '2026-11-26', 100, 30, 69, 0);", kCheck},
      {"negative_securities_balance", "INSERT INTO securities_balances VALUES ('A', 'DE0007164600', -1);", kCheck},
      {"negative_cash_balance", "INSERT INTO cash_balances VALUES ('A', 'EUR', -1);", kCheck},
      // Settlement.
      {"settlement_run_twice_for_a_date",
       "INSERT INTO settlement_runs VALUES ('2026-11-26', 0, '2026-11-25', " + kZero32 + ", 'NETTED');", kUnique},
      {"net_above_gross",
       "INSERT INTO settlement_run_totals VALUES ('2026-11-26', 'EUR', 100, 101, 3);", kCheck},
      {"zero_obligation",
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'EUR', 0, 'PENDING', NULL, '2026-11-26');", kCheck},
      {"failed_obligation_without_reason",
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'EUR', -5, 'FAILED', NULL, '2026-11-26');", kCheck},
      {"cash_obligation_in_an_isin",
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'DE0007164600', 5, 'PENDING', NULL, '2026-11-26');", kCheck},
      {"obligation_carried_from_the_future",
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'SECURITIES', 'DE0007164600', 5, 'PENDING', NULL, '2026-11-27');", kCheck},
      {"carried_fail_beside_fresh_obligation_accepted",
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'EUR', -5, 'PENDING', NULL, '2026-11-26');"
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'EUR', -7, 'PENDING', NULL, '2026-11-25');", kOk},
      {"same_obligation_twice",
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'EUR', -5, 'PENDING', NULL, '2026-11-26');"
       "INSERT INTO net_obligations VALUES ('2026-11-26', 'A', 'CASH', 'EUR', -7, 'PENDING', NULL, '2026-11-26');", kUnique},
      // Network and control-entry votes.
      {"valid_network_accepted",
       "INSERT INTO network VALUES (true, " + kZero32 + ", 4, " + kZero32 + ");", kOk},
      {"network_without_nodes", "INSERT INTO network VALUES (true, " + kZero32 + ", 0, " + kZero32 + ");", kCheck},
      {"second_network_row",
       "INSERT INTO network VALUES (true, " + kZero32 + ", 4, " + kZero32 + ");"
       "INSERT INTO network VALUES (true, " + kZero32 + ", 7, " + kZero32 + ");", kUnique},
      {"valid_cutoff_votes_accepted",
       control_vote(0, "1", "'PENDING'", "1") + control_vote(1, "2", "'APPLIED'", "2"), kOk},
      {"control_entry_applied_twice",
       control_vote(0, "1", "'APPLIED'", "2") + control_vote(1, "2", "'APPLIED'", "2"), kUnique},
      {"expiry_with_a_proposer", control_vote(0, "1", "'EXPIRED'", "0"), kCheck},
      {"vote_without_proposer", control_vote(0, "NULL", "'PENDING'", "1"), kCheck},
      {"rejected_vote_without_reason", control_vote(0, "1", "'REJECTED'", "0"), kCheck},
      {"cutoff_without_date",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, status, votes) VALUES "
       "(0, 0, 1, 'CUTOFF', " + kZero32 + ", 'PENDING', 1);", kCheck},
      {"funding_without_reference",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, status, votes) VALUES "
       "(0, 0, 1, 'FUNDING', " + kZero32 + ", 'PENDING', 1);", kCheck},
      // Audit log: linked, hash-checked, append-only.
      {"audit_first_entry_not_from_zero", audit(1, "decode(repeat('01', 32), 'hex')", "'\\x01'::bytea"), kRaised},
      {"audit_gap_in_sequence", kAuditFirst + audit(3, "(SELECT entry_hash FROM audit_log WHERE seq = 1)", "'\\x02'::bytea"), kRaised},
      {"audit_wrong_prev_hash", kAuditFirst + audit(2, kZero32, "'\\x02'::bytea"), kRaised},
      {"audit_hash_not_over_record",
       "INSERT INTO audit_log (seq, kind, record, prev_hash, entry_hash) VALUES (1, 'X', '\\x01'::bytea, " +
           kZero32 + ", " + kZero32 + ");", kCheck},
      {"audit_update_refused", kAuditFirst + "UPDATE audit_log SET actor = 'B';", kRaised},
      {"audit_delete_refused", kAuditFirst + "DELETE FROM audit_log;", kRaised},
      {"audit_truncate_refused", kAuditFirst + "TRUNCATE audit_log;", kRaised},
  };
  return all;
}

class SchemaConstraint : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    pg_ = std::make_unique<PgTestDatabase>();
    db_ = std::make_unique<pqxx::connection>(pg_->url());
    (void)apply_migrations(*db_, load_migrations(QC_SCHEMA_DIR));
    pqxx::work tx(*db_);
    tx.exec(kSeed);
    tx.commit();
  }
  static void TearDownTestSuite() {
    db_.reset();
    pg_.reset();
  }
  static inline std::unique_ptr<PgTestDatabase> pg_;
  static inline std::unique_ptr<pqxx::connection> db_;
};

TEST_P(SchemaConstraint, RejectsBadRowAndAcceptsGoodOne) {
  const Case& c = GetParam();
  EXPECT_EQ(sqlstate_of(*db_, c.sql), c.sqlstate) << c.sql;
}

INSTANTIATE_TEST_SUITE_P(V1, SchemaConstraint, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace quorumclear::store
