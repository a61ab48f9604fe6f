#include "services/config/config_error.h"

namespace quorumclear::config {

std::string ConfigError::what() const {
  if (field.empty()) return file + ": " + message;
  return file + ": " + field + ": " + message;
}

}  // namespace quorumclear::config
