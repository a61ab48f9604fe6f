// The REST API's reads: PostgreSQL rows (store::ReadStore) as the API's
// answers, scoped to what the caller may see.

#include "services/node/node_api.h"

#include "settlement/business_calendar.h"

namespace quorumclear::node {
namespace {

api::EpochView epoch_view(const store::EpochRow& row) {
  api::EpochView v{row.epoch,           row.output_digest,    row.state_digest, row.audit_head,
                   row.snapshot_digest, row.obligations_root, {},               row.certified};
  for (const store::EpochSignature& s : row.signatures) v.signatures.push_back({s.node_id, s.signature});
  return v;
}

api::Decimal money(std::int64_t minor, std::uint8_t minor_units) { return api::Decimal{minor, minor_units}; }

std::string date_text(settlement::BusinessDate d) {
  const settlement::CivilDate c = settlement::civil_from_date(d);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", c.year, c.month, c.day);
  return buffer;
}

api::TradeView trade_view(const store::TradeRow& row) {
  api::TradeView v;
  v.report = row.report;
  v.status = row.status ? api::report_status(*row.status) : api::ReportStatus::kReceived;
  v.reason = row.reason;
  v.field = row.field;
  v.version = row.version;
  v.epoch = row.epoch;
  if (row.counterparty) {
    v.counterparty = api::Counterparty{
        row.counterparty->member,
        row.counterparty->status ? std::optional<api::ReportStatus>(api::report_status(*row.counterparty->status))
                                 : std::nullopt};
  }
  if (row.consideration.minor > 0 && row.currency_minor_units) {
    v.consideration = money(row.consideration.minor, *row.currency_minor_units);
  }
  v.booked_business_date = row.booked_business_date;
  v.booked_settlement_date = row.booked_settlement_date;
  return v;
}

template <class Row, class View, class Map>
api::Paged<View> paged(store::Page<Row>&& page, Map&& map) {
  api::Paged<View> out;
  out.items.reserve(page.items.size());
  for (const Row& r : page.items) out.items.push_back(map(r));
  out.next_cursor = std::move(page.next_cursor);
  return out;
}

std::optional<settlement::TradeStatus> trade_status(std::optional<api::ReportStatus> s) {
  using api::ReportStatus;
  using settlement::TradeStatus;
  if (!s) return std::nullopt;
  switch (*s) {
    case ReportStatus::kConfirmed: return TradeStatus::kConfirmed;
    case ReportStatus::kRejected: return TradeStatus::kRejected;
    case ReportStatus::kAlleged: return TradeStatus::kAlleged;
    case ReportStatus::kMismatched: return TradeStatus::kMismatched;
    case ReportStatus::kAffirmed: return TradeStatus::kAffirmed;
    case ReportStatus::kCancelled: return TradeStatus::kCancelled;
    case ReportStatus::kExpired: return TradeStatus::kExpired;
    case ReportStatus::kReplaced: return TradeStatus::kReplaced;
    case ReportStatus::kReceived: break;
  }
  return std::nullopt;
}

api::RunSummary run_summary(const store::RunRow& r) {
  api::RunSummary s{r.business_date, r.cutoff_epoch, r.status, r.report_digest, {}};
  for (const store::RunTotalsRow& t : r.totals) {
    s.totals.push_back(api::CurrencyTotalsView{t.currency, money(t.gross_minor, t.minor_units),
                                               money(t.net_minor, t.minor_units), t.trade_count, t.efficiency_bps});
  }
  return s;
}

}  // namespace

template <class T, class F>
api::Answer<T> NodeApi::with_reads(F&& read) {
  try {
    auto lease = reads_.lease(kLeaseTimeout);
    if (!lease) {
      return api::Refusal{api::RefusalKind::kUnavailable, "UNAVAILABLE", "every database connection is busy", {}, 1};
    }
    return read(**lease);
  } catch (const store::InvalidCursor&) {
    return api::Refusal{api::RefusalKind::kInvalid, "INVALID_CURSOR", "the cursor was not issued for this query",
                        "cursor", 0};
  } catch (const store::StoreUnavailable& e) {
    return api::Refusal{api::RefusalKind::kUnavailable, "UNAVAILABLE", std::string("database: ") + e.what(), {}, 2};
  }
}

std::string NodeApi::before_history() const {
  const std::optional<std::uint64_t> start = parts_.board.snapshot().core.history_start_epoch;
  if (!start) return {};
  return " here: this node was rebuilt from its peers' checkpoint at epoch " + std::to_string(*start) +
         " and holds what was decided from then on; another node holds what was decided before";
}

api::Answer<api::TradeView> NodeApi::get_trade(const api::Caller& caller, const api::TradeKey& key) {
  const std::optional<settlement::MemberId> allowed = scope(caller, key.submitter);
  return with_reads<api::TradeView>([&](store::ReadStore& reads) -> api::Answer<api::TradeView> {
    const std::optional<store::TradeRow> row = reads.trade(key.submitter.view(), key.trade_id.view());
    // A member sees its own reports only; not yours and not there answer alike.
    if (!row || (allowed && *allowed != key.submitter)) {
      return api::Refusal{api::RefusalKind::kNotFound, "TRADE_NOT_FOUND", "no such report" + before_history(),
                          "trade_id", 0};
    }
    return trade_view(*row);
  });
}

api::Answer<api::Paged<api::TradeView>> NodeApi::list_trades(const api::Caller& caller,
                                                             const api::TradeFilter& filter, const api::Page& page) {
  if (filter.status == api::ReportStatus::kReceived) {
    return api::Refusal{api::RefusalKind::kInvalid, "STATUS_NOT_LISTED",
                        "RECEIVED reports are read one by one (GET /v1/trades/{trade_id})", "status", 0};
  }
  return with_reads<api::Paged<api::TradeView>>([&](store::ReadStore& reads) {
    return paged<store::TradeRow, api::TradeView>(
        reads.trades(scope(caller, filter.member), trade_status(filter.status), filter.settlement_date, page.cursor,
                     page.limit),
        trade_view);
  });
}

api::Answer<api::Paged<api::TradeView>> NodeApi::allegations(const api::Caller& caller,
                                                             const api::MemberFilter& filter, const api::Page& page) {
  const std::optional<settlement::MemberId> who = scope(caller, filter.member);
  if (!who) {
    return api::Refusal{api::RefusalKind::kInvalid, "MEMBER_REQUIRED", "name the member whose allegations to list",
                        "member", 0};
  }
  return with_reads<api::Paged<api::TradeView>>([&](store::ReadStore& reads) {
    return paged<store::TradeRow, api::TradeView>(reads.allegations(*who, page.cursor, page.limit), trade_view);
  });
}

api::Answer<api::Paged<api::PositionView>> NodeApi::positions(const api::Caller& caller,
                                                              const api::PositionFilter& filter,
                                                              const api::Page& page) {
  return with_reads<api::Paged<api::PositionView>>([&](store::ReadStore& reads) {
    return paged<store::PositionRow, api::PositionView>(
        reads.positions(scope(caller, filter.member), filter.isin, filter.settlement_date, page.cursor, page.limit),
        [](const store::PositionRow& r) {
          return api::PositionView{r.member, r.isin, r.currency, r.settlement_date, r.bought, r.sold, r.net,
                                   money(r.paid_minor, r.minor_units), money(r.received_minor, r.minor_units)};
        });
  });
}

api::Answer<api::Paged<api::CashView>> NodeApi::cash(const api::Caller& caller, const api::CashFilter& filter,
                                                     const api::Page& page) {
  return with_reads<api::Paged<api::CashView>>([&](store::ReadStore& reads) {
    return paged<store::CashRow, api::CashView>(
        reads.cash(scope(caller, filter.member), filter.currency, filter.settlement_date, page.cursor, page.limit),
        [](const store::CashRow& r) {
          return api::CashView{r.member, r.currency, r.settlement_date, money(r.received_minor, r.minor_units),
                               money(r.paid_minor, r.minor_units), money(r.net_minor, r.minor_units)};
        });
  });
}

api::Answer<api::Paged<api::BalanceView>> NodeApi::balances(const api::Caller& caller,
                                                            const api::MemberFilter& filter, const api::Page& page) {
  return with_reads<api::Paged<api::BalanceView>>([&](store::ReadStore& reads) {
    return paged<store::BalanceRow, api::BalanceView>(
        reads.balances(scope(caller, filter.member), page.cursor, page.limit), [](const store::BalanceRow& r) {
          return api::BalanceView{r.account, r.kind, r.asset, money(r.amount, r.minor_units)};
        });
  });
}

api::Answer<api::Paged<api::RunSummary>> NodeApi::settlement_runs(const api::Caller&, const api::Page& page) {
  return with_reads<api::Paged<api::RunSummary>>([&](store::ReadStore& reads) {
    return paged<store::RunRow, api::RunSummary>(reads.settlement_runs(page.cursor, page.limit), run_summary);
  });
}

api::Answer<api::RunReport> NodeApi::settlement_run(const api::Caller& caller, settlement::BusinessDate date) {
  return with_reads<api::RunReport>([&](store::ReadStore& reads) -> api::Answer<api::RunReport> {
    const std::optional<store::RunDetail> run = reads.settlement_run(date, scope(caller, std::nullopt));
    if (!run) {
      return api::Refusal{api::RefusalKind::kNotFound, "RUN_NOT_FOUND",
                          "no settlement run closed " + date_text(date) + before_history(),
                          "business_date", 0};
    }
    api::RunReport out{run_summary(run->run), {}, {}};
    for (const store::ObligationRow& o : run->obligations) {
      const std::uint8_t amount_scale = o.kind == settlement::AssetKind::kCash ? o.minor_units : 0;
      out.instructions.push_back(api::InstructionView{
          o.member, o.direction, o.kind, o.asset, o.currency, o.settlement_date, o.origin_date,
          api::Decimal{o.net_amount, amount_scale}, money(o.value_minor, o.minor_units),
          money(o.mark_minor, o.minor_units), api::Decimal{o.settled_amount, amount_scale},
          money(o.settled_mark_minor, o.minor_units), o.status, o.fail_reason});
    }
    for (const store::UnmatchedRow& u : run->unmatched) {
      out.unmatched.push_back(api::UnmatchedView{u.submitter, u.counterparty, u.trade_id, u.version,
                                                 api::report_status(u.status), u.field, u.report_business_date});
    }
    // The epoch's row outlives the run's read: signatures only ever join it.
    const std::optional<store::EpochRow> cutoff = run->proof ? reads.epoch(run->run.cutoff_epoch) : std::nullopt;
    if (cutoff) out.proof = api::RunProof{caller.member, *run->proof, epoch_view(*cutoff)};
    return out;
  });
}

api::Answer<api::EpochView> NodeApi::epoch(const api::Caller&, std::uint64_t e) {
  return with_reads<api::EpochView>([&](store::ReadStore& reads) -> api::Answer<api::EpochView> {
    const std::optional<store::EpochRow> row = reads.epoch(e);
    if (!row) {
      return api::Refusal{api::RefusalKind::kNotFound, "EPOCH_NOT_FOUND", "this node has not applied that epoch",
                          "epoch", 0};
    }
    return epoch_view(*row);
  });
}

api::Answer<api::AuditPage> NodeApi::audit(const api::Caller&, const api::AuditQuery& query) {
  return with_reads<api::AuditPage>([&](store::ReadStore& reads) {
    store::AuditPage page = reads.audit(query.after_epoch, query.limit);
    api::AuditPage out;
    out.next_after_epoch = page.next_after_epoch;
    for (const store::AuditLinkRow& l : page.links) {
      api::AuditLink link{l.epoch, l.output_digest, l.state_digest, l.prev_hash, l.entry_hash, {}};
      for (const store::AuditReport& r : l.reports) {
        link.changes.push_back(api::AuditChange{r.arrived ? api::AuditChangeKind::kReport : api::AuditChangeKind::kTransition,
                                                r.submitter, std::string(r.trade_id.view()), r.version,
                                                std::string(settlement::to_string(r.status)), r.reason, r.field});
      }
      for (const store::AuditRefusal& r : l.refusals) {
        link.changes.push_back(api::AuditChange{api::AuditChangeKind::kReport, r.submitter,
                                                std::string(r.trade_id.view()), 0, "REJECTED", r.reason, r.field});
      }
      for (const store::AuditControl& c : l.controls) {
        link.changes.push_back(api::AuditChange{
            api::AuditChangeKind::kControl, c.operator_id.value_or(settlement::MemberId{}),
            c.business_date ? date_text(*c.business_date) : c.reference, 0,
            std::string(settlement::to_string(c.status)), c.reason, std::string(store::to_string(c.kind))});
      }
      for (const store::AuditRun& r : l.runs) {
        link.changes.push_back(api::AuditChange{api::AuditChangeKind::kSettlementRun, {}, date_text(r.business_date), 0,
                                                r.status == settlement::RunStatus::kSettled ? "SETTLED" : "PARTIALLY_SETTLED",
                                                settlement::Reason::kNone, {}});
      }
      out.links.push_back(std::move(link));
    }
    return out;
  });
}

}  // namespace quorumclear::node
