#pragma once
// The node's /metrics page: a NodeSnapshot in the Prometheus text format
// (0.0.4), through prometheus-cpp's data model and serializer. The metric
// names and what each means are listed in services/metrics/README.md.

#include "services/metrics/node_stats.h"

#include <string>

namespace quorumclear::metrics {

[[nodiscard]] std::string render_prometheus(const NodeSnapshot& snapshot);

}  // namespace quorumclear::metrics
