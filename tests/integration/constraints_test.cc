// Proves that each constraint protecting money in the schema rejects a bad
// row in PostgreSQL itself, so that no code path, script or hand-typed SQL
// can store an impossible trade, position, balance, epoch, obligation,
// limit, fund contribution or audit entry.
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
constexpr const char* kGenerated = "428C9";  // a value written into a generated column

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

std::string position(const std::string& bought, const std::string& sold, const std::string& net,
                     const std::string& paid = "0", const std::string& received = "0") {
  return "INSERT INTO positions (member_id, isin, settlement_date, bought, sold, net_quantity, "
         "last_epoch, paid_minor, received_minor) VALUES ('A', 'DE0007164600', '2026-11-26', " +
         bought + ", " + sold + ", " + net + ", 0, " + paid + ", " + received + ");";
}

std::string insert(const std::string& table, std::map<std::string, std::string> cols) {
  std::string names, values;
  for (auto& [k, v] : cols) {
    names += (names.empty() ? "" : ", ") + k;
    values += (values.empty() ? "" : ", ") + v;
  }
  return "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ");";
}

// A valid net_obligations row: A receives 5 DE0007164600 valued at 1.00,
// pending. Each case overrides the columns it wants to break.
std::string obligation(std::map<std::string, std::string> overrides = {}) {
  std::map<std::string, std::string> cols = {
      {"settlement_date", "'2026-11-26'"}, {"member_id", "'A'"},
      {"asset_kind", "'SECURITIES'"},      {"asset", "'DE0007164600'"},
      {"net_amount", "5"},                 {"status", "'PENDING'"},
      {"fail_reason", "NULL"},             {"origin_date", "'2026-11-26'"},
      {"price_minor", "100"},              {"value_minor", "-500"},
      {"mark_minor", "0"},                 {"settled_amount", "0"},
      {"settled_mark_minor", "0"}};
  for (auto& [k, v] : overrides) cols[k] = v;
  return insert("net_obligations", cols);
}

// A cash obligation: A pays 4.90 in EUR (value legs -5.00, mark +0.10).
std::string cash_obligation(std::map<std::string, std::string> overrides = {}) {
  overrides.merge(std::map<std::string, std::string>{
      {"asset_kind", "'CASH'"}, {"asset", "'EUR'"}, {"net_amount", "-490"},
      {"price_minor", "0"}, {"value_minor", "0"}, {"mark_minor", "10"}});
  return obligation(overrides);
}

// Fails unless the obligation of A (the only one the case wrote) has fail_kind `kind`.
std::string expect_fail_kind(const std::string& kind) {
  return "DO $$ BEGIN IF (SELECT fail_kind FROM net_obligations WHERE member_id = 'A') IS DISTINCT FROM " +
         kind + " THEN RAISE EXCEPTION 'fail_kind'; END IF; END $$;";
}

std::string network(std::map<std::string, std::string> overrides = {}) {
  std::map<std::string, std::string> cols = {
      {"network_id", kZero32}, {"node_count", "4"}, {"genesis_digest", kZero32},
      {"late_trade_window_days", "1"}};
  for (auto& [k, v] : overrides) cols[k] = v;
  return insert("network", cols);
}
const std::map<std::string, std::string> kDefaultLimits = {
    {"default_max_gross_notional_minor", "1000000"}, {"default_max_net_position", "500"},
    {"default_max_gross_quantity", "8000"}};

std::string limits(const std::string& member, const std::string& gross_quantity) {
  return "INSERT INTO member_limits (member_id, max_gross_notional_minor, max_net_position, "
         "max_gross_quantity) VALUES ('" + member + "', 1000000, 500, " + gross_quantity + ");";
}

std::string contribution(const std::string& member, const std::string& currency,
                         const std::string& amount) {
  return "INSERT INTO default_fund_contributions (member_id, currency, amount_minor) VALUES ('" +
         member + "', '" + currency + "', " + amount + ");";
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
      {"valid_obligation_accepted", obligation(), kOk},
      {"valid_cash_obligation_accepted", cash_obligation(), kOk},
      {"zero_obligation", cash_obligation({{"net_amount", "0"}, {"mark_minor", "0"}}), kCheck},
      {"failed_obligation_without_reason", obligation({{"status", "'FAILED'"}}), kCheck},
      {"cash_obligation_in_an_isin", cash_obligation({{"asset", "'DE0007164600'"}}), kCheck},
      {"obligation_carried_from_the_future", obligation({{"origin_date", "'2026-11-27'"}}), kCheck},
      {"carried_fail_beside_fresh_obligation_accepted",
       obligation() + obligation({{"net_amount", "7"}, {"value_minor", "-700"},
                                  {"origin_date", "'2026-11-25'"}}), kOk},
      {"same_obligation_twice", obligation() + obligation({{"net_amount", "7"}, {"value_minor", "-700"}}),
       kUnique},
      // CNS valuation (0007): values at the settlement price, marks, what moved.
      {"mark_only_cash_obligation_accepted", cash_obligation({{"net_amount", "0"}}), kOk},
      {"mark_only_securities_obligation_accepted",
       obligation({{"net_amount", "0"}, {"value_minor", "0"}, {"mark_minor", "-250"}}), kOk},
      {"value_not_at_settlement_price", obligation({{"value_minor", "-499"}}), kCheck},
      {"value_that_would_overflow",
       obligation({{"net_amount", "9223372036854775807"}, {"price_minor", "2"}, {"value_minor", "1"}}), kCheck},
      {"negative_settlement_price", obligation({{"price_minor", "-100"}, {"value_minor", "500"}}), kCheck},
      {"cash_obligation_with_a_price", cash_obligation({{"price_minor", "100"}}), kCheck},
      {"cash_obligation_with_a_value_leg", cash_obligation({{"value_minor", "-500"}}), kCheck},
      {"delivered_more_than_owed",
       obligation({{"net_amount", "-5"}, {"value_minor", "500"}, {"settled_amount", "-6"},
                   {"status", "'FAILED'"}, {"fail_reason", "'CCP_SHORTFALL'"}}), kCheck},
      {"settled_the_other_way",
       obligation({{"settled_amount", "-1"}, {"status", "'FAILED'"}, {"fail_reason", "'CCP_SHORTFALL'"}}),
       kCheck},
      {"mark_paid_in_part",
       obligation({{"mark_minor", "300"}, {"settled_mark_minor", "100"}, {"settled_amount", "5"},
                   {"status", "'FAILED'"}, {"fail_reason", "'CCP_SHORTFALL'"}}), kCheck},
      {"settled_but_moved_in_part", obligation({{"status", "'SETTLED'"}, {"settled_amount", "3"}}), kCheck},
      {"settled_but_mark_unpaid",
       obligation({{"status", "'SETTLED'"}, {"settled_amount", "5"}, {"mark_minor", "300"}}), kCheck},
      {"pending_but_moved", obligation({{"settled_amount", "5"}}), kCheck},
      {"failed_but_moved_everything",
       obligation({{"status", "'FAILED'"}, {"fail_reason", "'CCP_SHORTFALL'"}, {"settled_amount", "5"}}),
       kCheck},
      {"carried_cash_obligation", cash_obligation({{"origin_date", "'2026-11-25'"}}), kCheck},
      {"undocumented_fail_reason",
       obligation({{"status", "'FAILED'"}, {"fail_reason", "'BALANCE_OVERFLOW'"}}), kCheck},
      {"valid_partial_delivery_is_a_fail_to_deliver",
       obligation({{"net_amount", "-50"}, {"value_minor", "5000"}, {"settled_amount", "-30"},
                   {"status", "'FAILED'"}, {"fail_reason", "'INSUFFICIENT_SECURITIES'"}}) +
           expect_fail_kind("'FAIL_TO_DELIVER'"), kOk},
      {"valid_retained_receipt_is_a_fail_to_receive",
       obligation({{"status", "'FAILED'"}, {"fail_reason", "'INSUFFICIENT_CASH'"}}) +
           expect_fail_kind("'FAIL_TO_RECEIVE'"), kOk},
      {"valid_withheld_mark_is_an_unpaid_mark",
       obligation({{"mark_minor", "300"}, {"settled_amount", "5"}, {"status", "'FAILED'"},
                   {"fail_reason", "'CCP_SHORTFALL'"}}) + expect_fail_kind("'MARK_UNPAID'"), kOk},
      {"valid_settled_obligation_is_no_fail",
       obligation({{"status", "'SETTLED'"}, {"settled_amount", "5"}}) + expect_fail_kind("NULL"), kOk},
      {"valid_failed_cash_that_moved_its_amount_accepted",
       cash_obligation({{"status", "'FAILED'"}, {"fail_reason", "'CCP_SHORTFALL'"},
                        {"settled_amount", "-490"}, {"settled_mark_minor", "10"}}), kOk},
      {"fail_kind_written_directly", obligation({{"fail_kind", "'FAIL_TO_DELIVER'"}}), kGenerated},
      {"obligation_without_a_value", obligation({{"value_minor", "NULL"}}), kNotNull},
      // Positions keep the cash their trades moved per instrument (0007).
      {"valid_position_with_trade_cash_accepted", position("100", "30", "70", "105000", "31500"), kOk},
      {"position_negative_paid", position("100", "30", "70", "-1", "0"), kCheck},
      {"position_negative_received", position("100", "30", "70", "0", "-1"), kCheck},
      // Limits for every clearing member (0007).
      {"valid_member_limits_accepted", limits("A", "8000"), kOk},
      {"member_limits_zero_gross_quantity", limits("A", "0"), kCheck},
      {"member_limits_without_gross_quantity",
       "INSERT INTO member_limits (member_id, max_gross_notional_minor, max_net_position) "
       "VALUES ('A', 1000000, 500);", kNotNull},
      // The default fund (0007): positive cash from clearing members only.
      {"valid_fund_contributions_accepted", contribution("A", "EUR", "5000") + contribution("B", "EUR", "1"), kOk},
      {"fund_contribution_zero", contribution("A", "EUR", "0"), kCheck},
      {"fund_contribution_negative", contribution("A", "EUR", "-5000"), kCheck},
      {"fund_contribution_twice", contribution("A", "EUR", "5000") + contribution("A", "EUR", "1"), kUnique},
      {"fund_contribution_unknown_member", contribution("ZZ", "EUR", "5000"), kForeignKey},
      {"fund_contribution_unknown_currency", contribution("A", "XXX", "5000"), kForeignKey},
      {"fund_contribution_from_an_operator", contribution("OPS", "EUR", "5000"), kForeignKey},
      {"fund_contribution_from_the_ccp", contribution("CCP", "EUR", "5000"), kForeignKey},
      {"fund_contributor_made_an_operator",
       contribution("A", "EUR", "5000") + "UPDATE members SET role = 'OPERATOR' WHERE member_id = 'A';",
       kForeignKey},
      {"fund_contribution_claiming_another_role",
       "INSERT INTO default_fund_contributions VALUES ('OPS', 'OPERATOR', 'EUR', 5000);", kCheck},
      // Network and control-entry votes.
      {"valid_network_accepted", network(), kOk},
      {"valid_network_with_default_limits_accepted",
       network(std::map<std::string, std::string>(kDefaultLimits)), kOk},
      {"network_without_nodes", network({{"node_count", "0"}}), kCheck},
      {"network_below_four_nodes", network({{"node_count", "3"}}), kCheck},
      {"network_above_31_nodes", network({{"node_count", "32"}}), kCheck},
      {"second_network_row", network() + network({{"node_count", "7"}}), kUnique},
      {"late_trade_window_too_long", network({{"late_trade_window_days", "11"}}), kCheck},
      {"late_trade_window_negative", network({{"late_trade_window_days", "-1"}}), kCheck},
      {"network_without_late_trade_window", network({{"late_trade_window_days", "NULL"}}), kNotNull},
      {"default_limits_in_part",
       network({{"default_max_gross_notional_minor", "1000000"}, {"default_max_net_position", "500"}}),
       kCheck},
      {"default_limit_zero",
       network({{"default_max_gross_notional_minor", "1000000"}, {"default_max_net_position", "500"},
                {"default_max_gross_quantity", "0"}}), kCheck},
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
