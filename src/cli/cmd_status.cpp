#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/log.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "cli/status_text.hpp"
#include "gateway/status.hpp"
#include "json/json_view.hpp"

namespace vpngw::cli {

namespace {

// Scripts can tell "running as the profile says" from "the kernel drifted".
constexpr int kExitDrift = 3;

struct StatusOptions {
    gateway::Options gateway;
    bool json = false;
};

int show_status(const StatusOptions& opt) {
    // Deferred: the registry's peers are listed one at a time, and planned
    // only when the record of the last `up` cannot prove the drift.
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none,
                                          gateway::StoredPeers::deferred);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.gateway);
    auto write = [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); };
    StatusPeerText peers;  // the peers' lines, formatted as they are listed
    const auto report =
        opt.json ? gateway::gather_status(*session, *live)
                 : gateway::gather_status(*session, *live, {},
                                          [&](gateway::PeerStatus&& p) { peers.add(p); });
    if (report.drift.proven)
        log::info(
            "the kernel matches the last up, proven from its record (noop-proof in the "
            "state directory) without planning the peers");
    if (opt.json)
        write(json::status_json(report));
    else
        write_status_text(report, peers, write);
    if (!report.drift.known) return kExitFailure;
    return report.drift.changes.empty() ? kExitOk : kExitDrift;
}

}  // namespace

std::vector<Command> status_commands() {
    auto opt = std::make_shared<StatusOptions>();
    auto options = gateway_options(opt->gateway, "/etc/vpngw/vpngw.toml");
    options.push_back({.names = "--json",
                       .target = &opt->json,
                       .help = "Machine-readable output (same exit status)"});
    return {{
        .name = "status",
        .help = "Interfaces, peers (handshake, transfer), conntrack, drops, pending apply, drift",
        .footer =
            "Exit status: 0 the kernel matches the profile, 3 it drifted (the output lists what\n"
            "`vpngw up` would change), 1 error (including: the kernel could not be read).\n"
            "Example:\n  vpngw status /etc/vpngw/office.toml\n  vpngw status --json | jq .peers",
        .options = std::move(options),
        .action = [opt] { return show_status(*opt); },
    }};
}

}  // namespace vpngw::cli
