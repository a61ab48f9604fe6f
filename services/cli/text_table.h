#pragma once
// Plain-text tables for clearctl's human output: columns padded to their
// widest cell, numbers (digits, sign, decimal point) aligned right.

#include <ostream>
#include <string>
#include <vector>

namespace quorumclear::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  /// Precondition: as many cells as headers.
  void add(std::vector<std::string> row);
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  [[nodiscard]] std::size_t size() const { return rows_.size(); }
  /// Header and rows, each line starting with `indent`; trailing blanks trimmed.
  void print(std::ostream& out, const std::string& indent = "  ") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace quorumclear::cli
