#pragma once
// Checks real responses against services/api/openapi.json: the operation's
// documented statuses, the response schema and documented headers. Supports
// the JSON-schema subset the document uses: $ref, type, required,
// properties, additionalProperties false, items, enum, pattern, minimum,
// maximum, minItems, maxItems, maxLength.

#include <Poco/JSON/Object.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::api::testing {

class OpenApiDocument {
 public:
  /// Parses the document at `path`; throws when it cannot.
  explicit OpenApiDocument(const std::string& path);

  /// The one document the tests use (QC_API_OPENAPI_PATH).
  static const OpenApiDocument& instance();

  /// What is wrong with answering `method target` with `status`, these
  /// headers (lower-case names) and `body`; empty when nothing is.
  [[nodiscard]] std::vector<std::string> check(std::string_view method, std::string_view target, int status,
                                               const std::map<std::string, std::string>& headers,
                                               const std::string& body) const;

  /// Errors of `body` against components/schemas/<name>.
  [[nodiscard]] std::vector<std::string> check_schema(std::string_view name, const std::string& body) const;

  /// The path templates the document lists, e.g. "/v1/trades/{trade_id}".
  [[nodiscard]] std::vector<std::string> paths() const;

 private:
  Poco::JSON::Object::Ptr root_;
};

}  // namespace quorumclear::api::testing
