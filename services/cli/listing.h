#pragma once
// The paged lists clearctl prints as tables (positions, cash): every page
// of GET path?filters (following next_cursor), one row per item.

#include "services/cli/command.h"

#include <string>
#include <utility>
#include <vector>

namespace quorumclear::cli {

/// What one listing command reads and prints.
struct Listing {
  std::string path;       // "/v1/positions"
  std::string items_key;  // "positions"
  /// Query filters: option name (e.g. "member") -> query parameter ("member").
  std::vector<std::pair<std::string, std::string>> filters;
  /// Columns: header -> the item's field.
  std::vector<std::pair<std::string, std::string>> columns;
};

/// Pages of at most this many items; stops after kListingItemsMax.
inline constexpr std::size_t kListingPageItems = 1000;
inline constexpr std::size_t kListingItemsMax = 1'000'000;

/// Fetches every page and prints the table (or "none"); returns an ExitCode.
[[nodiscard]] int run_listing(const Command& command, const Args& args, const Listing& listing);

}  // namespace quorumclear::cli
