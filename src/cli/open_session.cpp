#include "cli/open_session.hpp"

#include "cli/print.hpp"

namespace vpngw::cli {

std::optional<gateway::Session> open_session_or_report(const gateway::Options& options,
                                                       gateway::LockMode lock,
                                                       gateway::StoredPeers stored,
                                                       DiagnosticsPrinter print,
                                                       gateway::ProfilePeers declared) {
    Diagnostics diags;
    auto session = gateway::open_session(options, lock, diags, stored, declared);
    (print ? print : print_diagnostics)(diags);
    if (!session) {
        print_error(session.error());
        return std::nullopt;
    }
    return std::move(*session);
}

}  // namespace vpngw::cli
