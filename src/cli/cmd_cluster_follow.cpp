// `vpngw cluster follow`: this fleet member's kernel follows the shared
// registry (gateway/cluster_follow.hpp), in the foreground under
// systemd/vpngw-follow@.service. One line per change or reconcile. It also
// publishes the clients' endpoints while this member serves and speaks first
// to them when it becomes VRRP MASTER (gateway/cluster_endpoints.hpp).

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/log.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "gateway/cluster_follow.hpp"
#include "service_manager/notify.hpp"

namespace vpngw::cli {

int run_cluster_follow(const gateway::Options& options) {
    // The profile's diagnostics printed once, as every command does.
    if (!open_session_or_report(options, gateway::LockMode::none, gateway::StoredPeers::none))
        return kExitFailure;
    auto live = gateway::system_gateway(options);
    gateway::FollowEvents events;
    // Each change on its own line (the journal under systemd), as monitor does.
    events.info = [](const std::string& line) {
        std::printf("follow\t%s\n", line.c_str());
        std::fflush(stdout);
    };
    events.error = [](const std::string& line) { log::error(line); };
    events.caught_up = [](std::int64_t revision) {
        service_manager::ready("following the registry from revision " + std::to_string(revision));
    };
    auto st = gateway::follow_cluster(options, *live, events);
    if (!st) print_error(st.error());
    return kExitFailure;
}

Command cluster_follow_command() {
    auto opt = std::make_shared<gateway::Options>();
    return {
        .name = "follow",
        .help = "Apply the fleet registry's peer changes to this gateway's kernel as they happen",
        .footer =
            "Runs in the foreground (systemd: vpngw-follow@.service). Resumes from the "
            "revision in <state_dir>/cluster-applied; without etcd the kernel keeps its "
            "peers.\nWhile this member serves (VRRP MASTER and holding the virtual address, or "
            "no [cluster.vrrp]) it publishes its clients' WireGuard endpoints to etcd once a "
            "second, only those that changed (<prefix>endpoints/PUBKEY). On becoming MASTER it "
            "reads them, sets them on its peers and starts their handshakes at once, so clients "
            "need not wait for WireGuard's 15 s retry (docs/fleet.md).\n"
            "Example:\n  vpngw cluster follow /etc/vpngw/gw-a.toml",
        .options = gateway_options(*opt),
        .action = [opt] { return run_cluster_follow(*opt); },
    };
}

}  // namespace vpngw::cli
