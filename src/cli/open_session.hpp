#pragma once

#include <optional>

#include "gateway/session.hpp"
#include "util/error.hpp"

namespace vpngw::cli {

using DiagnosticsPrinter = void (*)(const Diagnostics&);

// The preamble of every command that works on a profile: opens the session,
// prints the profile's diagnostics with `print` and, on failure, the error.
// nullopt means the command is to exit with kExitFailure.
std::optional<gateway::Session> open_session_or_report(
    const gateway::Options& options, gateway::LockMode lock,
    gateway::StoredPeers stored = gateway::StoredPeers::merged, DiagnosticsPrinter print = nullptr,
    gateway::ProfilePeers declared = gateway::ProfilePeers::loaded);

}  // namespace vpngw::cli
