// `vpngw log`: the audit trail of the peer registry (who changed which peer,
// when, with which command, and what changed; never a key).
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/open_session.hpp"
#include "cli/peer_cli.hpp"
#include "cli/print.hpp"
#include "json/json_view.hpp"
#include "model/peer_limits.hpp"

namespace vpngw::cli {
namespace {

struct LogOptions {
    PeerOptions common;  // --profile, --state-dir
    std::string peer;
    std::string since;
    bool json = false;
};

int run_log(const LogOptions& opt) {
    registry::AuditFilter filter;
    if (!opt.peer.empty()) filter.peer = opt.peer;
    if (!opt.since.empty()) {
        auto t = model::parse_time(opt.since);
        if (!t) {
            std::fprintf(stderr, "error: --since: %s\n", t.error().message.c_str());
            return kExitUsage;
        }
        filter.since = *t;
    }
    auto session = open_session_or_report(opt.common.session_options(), gateway::LockMode::none,
                                          gateway::StoredPeers::none, print_profile_errors);
    if (!session) return kExitFailure;
    auto entries = gateway::peer_log(*session, filter);
    if (!entries) {
        print_error(entries.error());
        return kExitFailure;
    }
    if (opt.json) {
        write_out(json::audit_json(*entries));
        return kExitOk;
    }
    std::string out;
    for (const auto& e : *entries) {
        out += model::format_time(e.time) + "  " + e.user + "  " + e.command;
        if (!e.peer.empty()) out += "  " + e.peer;
        if (!e.fields.empty()) out += "  " + e.fields;
        out += "\n";
    }
    write_out(out);
    return kExitOk;
}

}  // namespace

std::vector<Command> log_commands() {
    auto opt = std::make_shared<LogOptions>();
    opt->common.gateway.profile_path = "/etc/vpngw/vpngw.toml";
    return {{
        .name = "log",
        .help = "Who changed which peer, when and how (the registry's audit trail)",
        .footer = "Examples:\n  vpngw log --peer bob\n  vpngw log --since 2026-12-01 --json",
        .options =
            join({{.names = "--peer", .target = &opt->peer, .help = "Only this peer's changes"},
                  {.names = "--since",
                   .target = &opt->since,
                   .help = "Only changes at or after this date or UTC time",
                   .type_name = "DATE"},
                  {.names = "--json", .target = &opt->json, .help = "Machine-readable output"}},
                 common_options(opt->common)),
        .action = [opt] { return run_log(*opt); },
    }};
}

}  // namespace vpngw::cli
