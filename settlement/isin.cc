#include "settlement/isin.h"

#include <string>

namespace quorumclear::settlement {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool is_valid_isin(std::string_view isin) noexcept {
  if (isin.size() != 12 || !is_upper(isin[0]) || !is_upper(isin[1]) || !is_digit(isin[11])) {
    return false;
  }
  // Letters expand to two digits (A=10 .. Z=35) before the Luhn sum, so the
  // expanded string can be up to 22 digits; a fixed buffer avoids allocation.
  char digits[24];
  int count = 0;
  for (std::size_t i = 0; i < 11; ++i) {
    const char c = isin[i];
    if (is_digit(c)) {
      digits[count++] = c;
    } else if (is_upper(c)) {
      const int v = c - 'A' + 10;
      digits[count++] = static_cast<char>('0' + v / 10);
      digits[count++] = static_cast<char>('0' + v % 10);
    } else {
      return false;
    }
  }
  // Luhn from the right: the digit next to the check digit is doubled.
  int sum = 0;
  bool doubled = true;
  for (int i = count - 1; i >= 0; --i) {
    int d = digits[i] - '0';
    if (doubled) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    doubled = !doubled;
  }
  const int check = (10 - sum % 10) % 10;
  return check == isin[11] - '0';
}

}  // namespace quorumclear::settlement
