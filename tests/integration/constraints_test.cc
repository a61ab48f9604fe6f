// Proves that each constraint protecting money in the schema rejects a bad
// row in PostgreSQL itself, so that no code path, script or hand-typed SQL
// can store an impossible trade report, position, balance, epoch,
// obligation, limit, fund contribution, venue permission, unmatched-report
// line or audit entry.
#include "services/store/migrations.h"
#include "tests/integration/pg_test_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>

namespace quorumclear::store {
namespace {

using ::testing::HasSubstr;
using quorumclear::testing::outcome_of;
using quorumclear::testing::PgTestDatabase;

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
    ('V', 'Venue MTF', 'TRADING_VENUE', 3),
    ('CCP', 'The network as central counterparty', 'CENTRAL_COUNTERPARTY', NULL);
  INSERT INTO instruments VALUES ('DE0007164600', 'EUR', 4, 1000, 100000000, false);
  INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count)
    VALUES (0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'),
            decode(repeat('00', 32), 'hex'), 4, 1);
  INSERT INTO node_state (network_id, node_id, last_applied_epoch)
    VALUES (decode(repeat('11', 32), 'hex'), 0, 0);
  INSERT INTO settlement_runs VALUES ('2026-11-26', 0, '2026-11-25', decode(repeat('00', 32), 'hex'), 'NETTED');
)sql";

using Columns = std::map<std::string, std::string>;

// An INSERT of `cols`, with `overrides` replacing or adding columns.
std::string insert(const std::string& table, Columns cols, const Columns& overrides = {}) {
  for (const auto& [k, v] : overrides) cols[k] = v;
  std::string names, values;
  for (const auto& [k, v] : cols) {
    names += (names.empty() ? "" : ", ") + k;
    values += (values.empty() ? "" : ", ") + v;
  }
  return "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ");";
}

// A valid trade report row: version 1 of A's bilateral report, received.
// Each case overrides the columns it wants to break.
std::string trade(const Columns& overrides = {}) {
  return insert("trades", {
      {"submitter", "'A'"},           {"trade_id", "'T-1'"},         {"version", "1"},
      {"report_kind", "'BILATERAL'"}, {"matched_submitter", "NULL"}, {"status_epoch", "NULL"},
      {"buyer", "'A'"},               {"seller", "'B'"},
      {"isin", "'DE0007164600'"},     {"quantity", "100"},
      {"price", "105000"},            {"currency", "'EUR'"},         {"price_scale", "4"},
      {"consideration_minor", "105000"}, {"trade_date", "'2026-11-25'"},
      {"settlement_date", "'2026-11-26'"}, {"content_hash", kZero32},
      {"status", "'RECEIVED'"},       {"reject_reason", "NULL"},
      {"epoch", "NULL"}}, overrides);
}

// A report decided in epoch 0 with `status`, e.g. ALLEGED.
std::string decided(const std::string& status, Columns overrides = {}) {
  overrides.merge(Columns{{"status", "'" + status + "'"}, {"epoch", "0"}});
  return trade(overrides);
}

// A's report matched by B's and booked on its trade date: CONFIRMED.
std::string confirmed(Columns overrides = {}) {
  overrides.merge(Columns{{"matched_submitter", "'B'"}, {"business_date", "'2026-11-25'"},
                          {"effective_settlement_date", "'2026-11-26'"}});
  return decided("CONFIRMED", overrides);
}

// The venue V's locked-in trade of A buying from B, confirmed alone.
std::string venue_trade(Columns overrides = {}) {
  overrides.merge(Columns{{"submitter", "'V'"}, {"report_kind", "'LOCKED_IN'"},
                          {"matched_submitter", "NULL"}});
  return confirmed(overrides);
}

// A's report paired with B's, which differs in `field`.
std::string mismatched(const std::string& field, Columns overrides = {}) {
  overrides.merge(Columns{{"reject_reason", "'FIELD_MISMATCH'"}, {"reject_field", field},
                          {"matched_submitter", "'B'"}});
  return decided("MISMATCHED", overrides);
}

std::string position(const std::string& bought, const std::string& sold, const std::string& net,
                     const std::string& paid = "0", const std::string& received = "0") {
  return "INSERT INTO positions (member_id, isin, settlement_date, bought, sold, net_quantity, "
         "last_epoch, paid_minor, received_minor) VALUES ('A', 'DE0007164600', '2026-11-26', " +
         bought + ", " + sold + ", " + net + ", 0, " + paid + ", " + received + ");";
}

// A valid net_obligations row: A receives 5 DE0007164600 valued at 1.00,
// pending. Each case overrides the columns it wants to break.
std::string obligation(const Columns& overrides = {}) {
  return insert("net_obligations", {
      {"settlement_date", "'2026-11-26'"}, {"member_id", "'A'"},
      {"asset_kind", "'SECURITIES'"},      {"asset", "'DE0007164600'"},
      {"net_amount", "5"},                 {"status", "'PENDING'"},
      {"fail_reason", "NULL"},             {"origin_date", "'2026-11-26'"},
      {"price_minor", "100"},              {"value_minor", "-500"},
      {"mark_minor", "0"},                 {"settled_amount", "0"},
      {"settled_mark_minor", "0"}}, overrides);
}

// A cash obligation: A pays 4.90 in EUR (value legs -5.00, mark +0.10).
std::string cash_obligation(Columns overrides = {}) {
  overrides.merge(Columns{
      {"asset_kind", "'CASH'"}, {"asset", "'EUR'"}, {"net_amount", "-490"},
      {"price_minor", "0"}, {"value_minor", "0"}, {"mark_minor", "10"}});
  return obligation(overrides);
}

// Fails unless the obligation of A (the only one the case wrote) has fail_kind `kind`.
std::string expect_fail_kind(const std::string& kind) {
  return "DO $$ BEGIN IF (SELECT fail_kind FROM net_obligations WHERE member_id = 'A') IS DISTINCT FROM " +
         kind + " THEN RAISE EXCEPTION 'fail_kind'; END IF; END $$;";
}

std::string network(const Columns& overrides = {}) {
  return insert("network", {
      {"network_id", kZero32}, {"node_count", "4"}, {"genesis_digest", kZero32},
      {"late_trade_window_days", "1"}, {"allegation_expiry_days", "1"},
      {"max_open_reports_per_member", "10000"}}, overrides);
}
const Columns kDefaultLimits = {
    {"default_max_gross_notional_minor", "1000000"}, {"default_max_net_position", "500"},
    {"default_max_gross_quantity", "8000"}};

// `venue`'s permission to submit trades for `member`.
std::string venue_member(const std::string& venue, const std::string& member) {
  return insert("venue_members", {{"venue_id", venue}, {"member_id", member}});
}

// A valid line of the 2026-11-26 cut-off report: A's version 1 of T-1,
// alleged against B since the day before.
std::string unmatched(const Columns& overrides = {}) {
  return insert("settlement_unmatched_reports", {
      {"business_date", "'2026-11-26'"}, {"submitter", "'A'"}, {"trade_id", "'T-1'"},
      {"version", "1"}, {"counterparty", "'B'"}, {"status", "'ALLEGED'"},
      {"mismatch_field", "NULL"}, {"report_business_date", "'2026-11-25'"}}, overrides);
}

// An unkeyed rejection at position `seq` of epoch 0; entry_kind left to its
// default when `entry_kind` is empty.
std::string unkeyed_rejection(int seq, const std::string& reason, const std::string& entry_kind = "") {
  Columns cols = {{"epoch", "0"}, {"seq", std::to_string(seq)}, {"submitter", "'A'"},
                  {"trade_id", "'T-9'"}, {"content_hash", kZero32}, {"reject_reason", reason}};
  if (!entry_kind.empty()) cols["entry_kind"] = entry_kind;
  return insert("trade_rejections", cols);
}

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
  // Where a table has several checks a bad row could trip, the one that
  // must fire, as PostgreSQL names it in its message; null: any. PostgreSQL
  // reports the first failing CHECK in name order, so a case breaks one rule.
  const char* constraint = nullptr;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // Controls: the valid rows the other cases break are themselves accepted.
      {"valid_trade_accepted", trade(), kOk},
      {"valid_positions_accepted", position("100", "30", "70"), kOk},
      {"valid_audit_chain_accepted", kAuditFirst + kAuditSecond, kOk},
      // Trades: one version of one member's report (0008 keeps the cheap
      // checks that protect money and the lifecycle; the constraint named
      // is the one that must fire, not merely some CHECK).
      {"quantity_zero", trade({{"quantity", "0"}}), kCheck, "trades_quantity_check"},
      // A report refused by validation is kept as submitted; it moves nothing.
      {"rejected_report_as_submitted",
       trade({{"quantity", "0"}, {"price", "-1"}, {"consideration_minor", "0"}, {"price_scale", "12"},
              {"seller", "'A'"}, {"settlement_date", "'2026-11-24'"}, {"status", "'REJECTED'"},
              {"reject_reason", "'QUANTITY_NOT_POSITIVE'"}, {"epoch", "0"}}),
       kOk},
      {"rejected_negative_consideration",
       trade({{"consideration_minor", "-1"}, {"status", "'REJECTED'"},
              {"reject_reason", "'PRICE_NOT_POSITIVE'"}, {"epoch", "0"}}),
       kCheck, "trades_consideration_minor_check"},
      {"alleged_quantity_zero", trade({{"quantity", "0"}, {"status", "'ALLEGED'"}, {"epoch", "0"}}),
       kCheck, "trades_quantity_check"},
      {"quantity_negative", trade({{"quantity", "-5"}}), kCheck, "trades_quantity_check"},
      {"quantity_fractional", trade({{"quantity", "'10.5'"}}), kNotAnInteger},
      {"price_zero", trade({{"price", "0"}}), kCheck, "trades_price_check"},
      {"price_fractional", trade({{"price", "'10.50'"}}), kNotAnInteger},
      {"consideration_zero", trade({{"consideration_minor", "0"}}), kCheck, "trades_consideration_minor_check"},
      {"buyer_is_seller", trade({{"seller", "'A'"}}), kCheck, "trades_buyer_not_seller"},
      {"bilateral_submitter_not_a_party", trade({{"submitter", "'C'"}}), kCheck, "trades_kind_matches_parties"},
      {"price_scale_out_of_range", trade({{"price_scale", "10"}}), kCheck, "trades_price_scale_check"},
      {"confirmed_without_booked_dates",
       confirmed({{"business_date", "NULL"}, {"effective_settlement_date", "NULL"}}), kCheck,
       "trades_booked_dates_when_confirmed"},
      {"booked_before_trade_date", confirmed({{"business_date", "'2026-11-24'"}}), kCheck,
       "trades_booked_not_before_trade_date"},
      {"rolled_settlement_before_submitted", confirmed({{"effective_settlement_date", "'2026-11-25'"}}), kCheck,
       "trades_booked_not_before_trade_date"},
      {"settles_before_trade_date", trade({{"settlement_date", "'2026-11-24'"}}), kCheck,
       "trades_settles_not_before_trade_date"},
      // 0008 dropped the foreign keys and regex checks of this hot table
      // (ARCHITECTURE.md, "What the write path costs"): the ledger validates
      // references and syntax before writing, replay re-derives every row.
      // This row used to fail four ways; it is accepted on purpose.
      {"references_and_syntax_left_to_the_ledger",
       decided("ALLEGED", {{"seller", "'ZZ'"}, {"isin", "'US0378331005'"}, {"currency", "'XXX'"},
                           {"trade_id", "'has space'"}, {"epoch", "99"}}), kOk},
      {"trade_id_empty", trade({{"trade_id", "''"}}), kCheck, "trades_trade_id_length"},
      {"trade_id_too_long", trade({{"trade_id", "repeat('x', 65)"}}), kCheck, "trades_trade_id_length"},
      {"missing_quantity", trade({{"quantity", "NULL"}}), kNotNull},
      {"same_version_twice", trade() + trade({{"quantity", "200"}}), kUnique, "trades_pkey"},
      {"rejected_without_reason", decided("REJECTED"), kCheck, "trades_reason_when_refused_or_unmatched"},
      {"reject_reason_too_long", decided("REJECTED", {{"reject_reason", "repeat('X', 49)"}}), kCheck,
       "trades_reject_reason_length"},
      {"reason_on_confirmed", confirmed({{"reject_reason", "'LIMIT'"}}), kCheck,
       "trades_reason_when_refused_or_unmatched"},
      {"confirmed_without_epoch", confirmed({{"epoch", "NULL"}}), kCheck, "trades_decided_in_an_epoch"},
      {"epoch_negative", decided("ALLEGED", {{"epoch", "-1"}}), kCheck, "trades_epoch_not_negative"},
      {"valid_confirmed_rolled_trade_accepted",
       confirmed({{"business_date", "'2026-11-26'"}, {"effective_settlement_date", "'2026-11-27'"}}), kOk},
      {"unknown_status", decided("MAYBE"), kCheck, "trades_status_check"},
      {"short_content_hash", trade({{"content_hash", "'\\x00'::bytea"}}), kCheck, "trades_content_hash_check"},
      // Versions: a submitter replaces its live report under the same trade_id.
      {"valid_replaced_version_beside_its_successor_accepted",
       decided("REPLACED") + decided("ALLEGED", {{"version", "2"}, {"price", "105100"}}), kOk},
      {"valid_sixteenth_version_accepted", decided("ALLEGED", {{"version", "16"}}), kOk},
      {"version_zero", trade({{"version", "0"}}), kCheck, "trades_version_range"},
      {"version_seventeen", trade({{"version", "17"}}), kCheck, "trades_version_range"},
      {"missing_version", trade({{"version", "NULL"}}), kNotNull},
      // Report kinds: bilateral from a party, locked-in from a venue.
      {"valid_venue_trade_confirms_alone_accepted", venue_trade(), kOk},
      {"locked_in_submitted_by_a_party", venue_trade({{"submitter", "'A'"}}), kCheck,
       "trades_kind_matches_parties"},
      // From the venue, so that only the kind's own check can fire.
      {"unknown_report_kind", trade({{"submitter", "'V'"}, {"report_kind", "'OTC'"}}), kCheck,
       "trades_report_kind_check"},
      {"locked_in_alleged", venue_trade({{"status", "'ALLEGED'"}}), kCheck, "trades_locked_in_never_paired"},
      {"locked_in_affirmed", venue_trade({{"status", "'AFFIRMED'"}, {"matched_submitter", "'A'"}}), kCheck,
       "trades_locked_in_never_paired"},
      // Matching: a bilateral report books only when the other side matched it.
      {"valid_alleged_accepted", decided("ALLEGED"), kOk},
      {"alleged_with_a_reason", decided("ALLEGED", {{"reject_reason", "'FIELD_MISMATCH'"}}), kCheck,
       "trades_reason_when_refused_or_unmatched"},
      {"confirmed_bilateral_without_matched_submitter", confirmed({{"matched_submitter", "NULL"}}), kCheck,
       "trades_booked_bilateral_was_matched"},
      {"settled_bilateral_without_matched_submitter",
       confirmed({{"status", "'SETTLED'"}, {"matched_submitter", "NULL"}}), kCheck,
       "trades_booked_bilateral_was_matched"},
      {"matched_with_itself", confirmed({{"matched_submitter", "'A'"}}), kCheck, "trades_matched_not_self"},
      {"valid_mismatched_accepted", mismatched("'price'"), kOk},
      {"mismatched_without_field", mismatched("NULL"), kCheck, "trades_mismatch_names_field_and_report"},
      {"mismatched_in_a_field_not_compared", mismatched("'client_ref'"), kCheck,
       "trades_mismatch_names_field_and_report"},
      {"mismatched_without_counterpart_report", mismatched("'isin'", {{"matched_submitter", "NULL"}}), kCheck,
       "trades_mismatch_names_field_and_report"},
      // Also refused by trades_reason_when_refused_or_unmatched, which sorts later.
      {"mismatched_without_reason", mismatched("'isin'", {{"reject_reason", "NULL"}}), kCheck,
       "trades_mismatch_names_field_and_report"},
      {"valid_affirmation_of_venue_trade_accepted",
       venue_trade() +
           decided("AFFIRMED", {{"matched_submitter", "'V'"}, {"status_epoch", "0"}}), kOk},
      {"affirmation_naming_no_venue_trade", decided("AFFIRMED"), kCheck, "trades_affirmation_names_venue"},
      {"valid_cancelled_accepted", decided("CANCELLED"), kOk},
      {"valid_expired_accepted", decided("UNMATCHED_EXPIRED", {{"reject_reason", "'ALLEGATION_EXPIRED'"}}), kOk},
      {"expired_without_reason", decided("UNMATCHED_EXPIRED"), kCheck, "trades_expired_reason"},
      {"expired_for_another_reason", decided("UNMATCHED_EXPIRED", {{"reject_reason", "'LIMIT'"}}), kCheck,
       "trades_expired_reason"},
      {"status_changed_before_arrival", decided("ALLEGED", {{"epoch", "1"}, {"status_epoch", "0"}}), kCheck,
       "trades_status_epoch_after_arrival"},
      {"status_changed_before_any_epoch", trade({{"status_epoch", "0"}}), kCheck,
       "trades_status_epoch_after_arrival"},
      // Unkeyed rejections: refused cancels beside refused reports (0008).
      {"valid_unkeyed_rejections_accepted",
       unkeyed_rejection(0, "'ALLEGATION_LIMIT'") + unkeyed_rejection(1, "'ALREADY_MATCHED'", "'CANCEL'") +
           "DO $$ BEGIN IF (SELECT entry_kind FROM trade_rejections WHERE seq = 0) <> 'REPORT' "
           "THEN RAISE EXCEPTION 'entry_kind'; END IF; END $$;", kOk},
      {"unkeyed_rejection_of_unknown_entry_kind", unkeyed_rejection(0, "'TRADE_NOT_FOUND'", "'AMEND'"), kCheck,
       "trade_rejections_entry_kind_check"},
      // Reference data.
      {"lower_case_currency", "INSERT INTO currencies VALUES ('eur', 2);", kCheck},
      {"currency_too_many_decimals", "INSERT INTO currencies VALUES ('JPX', 7);", kCheck},
      {"malformed_isin", "INSERT INTO instruments VALUES ('DE000716460', 'EUR', 4, 1, 2, false);", kCheck},
      {"inverted_price_band", "INSERT INTO instruments VALUES ('US0378331005', 'EUR', 4, 20, 10, false);", kCheck},
      {"unknown_member_role", "INSERT INTO members VALUES ('D', 'Delta', 'ADMIN', NULL);", kCheck},
      {"second_ccp", "INSERT INTO members VALUES ('CCP2', 'Another CCP', 'CENTRAL_COUNTERPARTY', NULL);", kUnique},
      {"ccp_running_a_node", "UPDATE members SET node_id = 9 WHERE member_id = 'CCP';", kCheck},
      {"valid_ccp_balance_accepted", "INSERT INTO cash_balances VALUES ('CCP', 'EUR', 1000000);", kOk},
      // Venues and the clearing members each may submit for (0008).
      {"valid_venue_members_accepted", venue_member("'V'", "'A'") + venue_member("'V'", "'B'"), kOk},
      {"venue_member_self", venue_member("'V'", "'V'"), kCheck, "venue_members_not_self"},
      {"venue_member_unknown", venue_member("'V'", "'ZZ'"), kForeignKey, "venue_members_member_fkey"},
      {"venue_member_not_a_clearing_member", venue_member("'V'", "'OPS'"), kForeignKey,
       "venue_members_member_fkey"},
      {"venue_member_of_a_non_venue", venue_member("'A'", "'B'"), kForeignKey, "venue_members_venue_fkey"},
      {"venue_member_twice", venue_member("'V'", "'A'") + venue_member("'V'", "'A'"), kUnique,
       "venue_members_pkey"},
      {"venue_made_a_clearing_member",
       venue_member("'V'", "'A'") + "UPDATE members SET role = 'CLEARING_MEMBER' WHERE member_id = 'V';",
       kForeignKey, "venue_members_venue_fkey"},
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
       network(kDefaultLimits), kOk},
      {"network_without_nodes", network({{"node_count", "0"}}), kCheck},
      {"network_below_four_nodes", network({{"node_count", "3"}}), kCheck},
      {"network_above_31_nodes", network({{"node_count", "32"}}), kCheck},
      {"second_network_row", network() + network({{"node_count", "7"}}), kUnique},
      {"late_trade_window_too_long", network({{"late_trade_window_days", "11"}}), kCheck},
      {"late_trade_window_negative", network({{"late_trade_window_days", "-1"}}), kCheck},
      {"network_without_late_trade_window", network({{"late_trade_window_days", "NULL"}}), kNotNull},
      {"allegation_expiry_too_long", network({{"allegation_expiry_days", "11"}}), kCheck,
       "network_allegation_expiry_days_check"},
      {"allegation_expiry_negative", network({{"allegation_expiry_days", "-1"}}), kCheck,
       "network_allegation_expiry_days_check"},
      {"valid_same_day_allegation_expiry_accepted", network({{"allegation_expiry_days", "0"}}), kOk},
      {"network_without_allegation_expiry", network({{"allegation_expiry_days", "NULL"}}), kNotNull},
      {"open_reports_cap_zero", network({{"max_open_reports_per_member", "0"}}), kCheck,
       "network_max_open_reports_per_member_check"},
      {"open_reports_cap_too_high", network({{"max_open_reports_per_member", "1000001"}}), kCheck,
       "network_max_open_reports_per_member_check"},
      {"network_without_open_reports_cap", network({{"max_open_reports_per_member", "NULL"}}), kNotNull},
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
      // The cut-off report's list of what was still unmatched (0008).
      {"valid_unmatched_reports_accepted",
       unmatched() + unmatched({{"submitter", "'B'"}, {"counterparty", "'A'"}, {"status", "'MISMATCHED'"},
                                {"mismatch_field", "'quantity'"}}) +
           unmatched({{"trade_id", "'T-2'"}, {"version", "3"}, {"status", "'UNMATCHED_EXPIRED'"}}), kOk},
      {"unmatched_mismatch_without_field", unmatched({{"status", "'MISMATCHED'"}}), kCheck,
       "settlement_unmatched_reports_field_when_mismatched"},
      {"unmatched_alleged_with_a_field", unmatched({{"mismatch_field", "'price'"}}), kCheck,
       "settlement_unmatched_reports_field_when_mismatched"},
      {"unmatched_mismatch_in_a_field_not_compared",
       unmatched({{"status", "'MISMATCHED'"}, {"mismatch_field", "'client_ref'"}}), kCheck,
       "settlement_unmatched_reports_mismatch_field_check"},
      {"unmatched_report_from_after_the_cutoff", unmatched({{"report_business_date", "'2026-11-27'"}}), kCheck,
       "settlement_unmatched_reports_arrived_by_cutoff"},
      {"unmatched_confirmed_report", unmatched({{"status", "'CONFIRMED'"}}), kCheck,
       "settlement_unmatched_reports_status_check"},
      {"unmatched_version_seventeen", unmatched({{"version", "17"}}), kCheck,
       "settlement_unmatched_reports_version_range"},
      {"unmatched_against_itself", unmatched({{"counterparty", "'A'"}}), kCheck,
       "settlement_unmatched_reports_not_self"},
      {"unmatched_without_a_run",
       unmatched({{"business_date", "'2026-11-27'"}, {"report_business_date", "'2026-11-26'"}}), kForeignKey,
       "settlement_unmatched_reports_business_date_fkey"},
      {"unmatched_against_unknown_member", unmatched({{"counterparty", "'ZZ'"}}), kForeignKey,
       "settlement_unmatched_reports_counterparty_fkey"},
      {"unmatched_twice_for_one_report", unmatched() + unmatched({{"version", "2"}}), kUnique,
       "settlement_unmatched_reports_pkey"},
      // Node runtime (0009): the scheduled cut-off kind, entered_epoch,
      // and the node-local tables' cheap bounds.
      {"valid_scheduled_cutoff_vote_accepted",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, business_date, status, votes) "
       "VALUES (0, 0, 1, 'SCHEDULED_CUTOFF', " + kZero32 + ", '2026-11-25', 'PENDING', 1);", kOk},
      {"scheduled_cutoff_without_date",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, status, votes) VALUES "
       "(0, 0, 1, 'SCHEDULED_CUTOFF', " + kZero32 + ", 'PENDING', 1);", kCheck, "control_votes_cutoff_has_date"},
      {"scheduled_cutoff_with_reference",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, business_date, reference, status, "
       "votes) VALUES (0, 0, 1, 'SCHEDULED_CUTOFF', " + kZero32 + ", '2026-11-25', 'r-1', 'PENDING', 1);",
       kCheck, "control_votes_reference_by_kind"},
      {"refused_funding_without_reference_accepted",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, status, votes, reason) VALUES "
       "(0, 0, 1, 'FUNDING', " + kZero32 + ", 'REJECTED', 0, 'CONTROL_REF_INVALID');", kOk},
      {"unknown_control_kind",
       "INSERT INTO control_votes (epoch, seq, proposer, kind, entry_digest, reference, status, votes) "
       "VALUES (0, 0, 1, 'CLOCK', " + kZero32 + ", 'r-1', 'PENDING', 1);", kCheck,
       "control_votes_kind_check"},
      {"entered_epoch_rises_accepted", "UPDATE node_state SET entered_epoch = 5; UPDATE node_state SET entered_epoch = 6;", kOk},
      {"entered_epoch_goes_back", "UPDATE node_state SET entered_epoch = 5; UPDATE node_state SET entered_epoch = 4;",
       kRaised},
      {"valid_received_report_accepted",
       "INSERT INTO received_reports (submitter, trade_id, content_hash, entry, is_cancel) VALUES "
       "('A', 'T-1', " + kZero32 + ", '\\x05'::bytea, true);", kOk},
      {"received_report_short_hash",
       "INSERT INTO received_reports (submitter, trade_id, content_hash, entry, is_cancel) VALUES "
       "('A', 'T-1', '\\x00'::bytea, '\\x05'::bytea, true);", kCheck, "received_reports_content_hash_length"},
      {"received_report_empty_entry",
       "INSERT INTO received_reports (submitter, trade_id, content_hash, entry, is_cancel) VALUES "
       "('A', 'T-1', " + kZero32 + ", ''::bytea, false);", kCheck, "received_reports_entry_length"},
      {"token_for_unknown_member",
       "INSERT INTO api_tokens (token_sha256, member_id) VALUES (" + kZero32 + ", 'ZZ');", kForeignKey},
      {"token_hash_not_32_bytes",
       "INSERT INTO api_tokens (token_sha256, member_id) VALUES ('\\x01'::bytea, 'A');", kCheck,
       "api_tokens_token_sha256_length"},
      {"local_event_kind_lower_case", "INSERT INTO local_events (kind) VALUES ('peer_connected');", kCheck,
       "local_events_kind_check"},
      {"local_event_detail_too_long",
       "INSERT INTO local_events (kind, detail) VALUES ('FAULT', repeat('x', 1001));", kCheck,
       "local_events_detail_length"},
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
  const auto outcome = outcome_of(*db_, c.sql);
  EXPECT_EQ(outcome.sqlstate, c.sqlstate) << c.sql << "\n" << outcome.message;
  if (c.constraint != nullptr) {
    EXPECT_THAT(outcome.message, HasSubstr(std::string("\"") + c.constraint + "\"")) << c.sql;
  }
}

INSTANTIATE_TEST_SUITE_P(V1, SchemaConstraint, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace quorumclear::store
