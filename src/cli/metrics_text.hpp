#pragma once

// The status snapshot in the Prometheus text exposition format (0.0.4): what
// `vpngw metrics` prints, writes for node_exporter's textfile collector, and
// serves on /metrics.

#include <string>

#include "gateway/status.hpp"

namespace vpngw::cli {

std::string metrics_text(const gateway::StatusReport& report);

// A label value with \, " and newline escaped as the format requires.
std::string escape_label(const std::string& value);

}  // namespace vpngw::cli
