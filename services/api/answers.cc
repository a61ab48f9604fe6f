#include "services/api/answers.h"

#include <array>

namespace quorumclear::api {
namespace {

constexpr std::array<ReportStatus, 9> kAllStatuses = {
    ReportStatus::kReceived,  ReportStatus::kConfirmed,  ReportStatus::kRejected,
    ReportStatus::kAlleged,   ReportStatus::kMismatched, ReportStatus::kAffirmed,
    ReportStatus::kCancelled, ReportStatus::kExpired,    ReportStatus::kReplaced};

}  // namespace

ReportStatus report_status(settlement::TradeStatus status) {
  using settlement::TradeStatus;
  switch (status) {
    case TradeStatus::kConfirmed:
      return ReportStatus::kConfirmed;
    case TradeStatus::kRejected:
      return ReportStatus::kRejected;
    case TradeStatus::kAlleged:
      return ReportStatus::kAlleged;
    case TradeStatus::kMismatched:
      return ReportStatus::kMismatched;
    case TradeStatus::kAffirmed:
      return ReportStatus::kAffirmed;
    case TradeStatus::kCancelled:
      return ReportStatus::kCancelled;
    case TradeStatus::kExpired:
      return ReportStatus::kExpired;
    case TradeStatus::kReplaced:
      return ReportStatus::kReplaced;
  }
  return ReportStatus::kRejected;
}

std::string_view to_string(ReportStatus status) {
  switch (status) {
    case ReportStatus::kReceived:
      return "RECEIVED";
    case ReportStatus::kConfirmed:
      return "CONFIRMED";
    case ReportStatus::kRejected:
      return "REJECTED";
    case ReportStatus::kAlleged:
      return "ALLEGED";
    case ReportStatus::kMismatched:
      return "MISMATCHED";
    case ReportStatus::kAffirmed:
      return "AFFIRMED";
    case ReportStatus::kCancelled:
      return "CANCELLED";
    case ReportStatus::kExpired:
      return "UNMATCHED_EXPIRED";
    case ReportStatus::kReplaced:
      return "REPLACED";
  }
  return "UNKNOWN";
}

std::optional<ReportStatus> parse_report_status(std::string_view text) {
  for (ReportStatus status : kAllStatuses) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace quorumclear::api
