#pragma once
// ISO 6166 International Securities Identification Numbers.

#include <string_view>

namespace quorumclear::settlement {

/// True when `isin` is 12 characters: a two-letter country prefix, nine
/// alphanumerics, and a Luhn check digit that matches the first eleven.
[[nodiscard]] bool is_valid_isin(std::string_view isin) noexcept;

}  // namespace quorumclear::settlement
