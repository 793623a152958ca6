#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/print.hpp"
#include "gateway/apply_profile.hpp"
#include "gateway/confirm.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_live.hpp"

namespace vpngw::cli {

namespace {

// Scripts can tell "running as the profile says" from "the kernel drifted".
constexpr int kExitDrift = 3;

std::string age(std::int64_t since) {
    if (since == 0) return "never";
    std::int64_t s = static_cast<std::int64_t>(std::time(nullptr)) - since;
    if (s < 0) s = 0;
    if (s < 120) return std::to_string(s) + " s ago";
    if (s < 7200) return std::to_string(s / 60) + " min ago";
    return std::to_string(s / 3600) + " h ago";
}

// Peers whose handshake is older than this are shown as offline: WireGuard
// re-keys every 2 minutes while traffic flows.
constexpr std::int64_t kOnlineWindow = 180;

void print_peers(const gateway::PeerListing& listing) {
    std::printf("%-16s %-10s %-16s %-8s %-12s %12s %12s\n", "peer", "group", "address", "state",
                "handshake", "received", "sent");
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    for (const auto& p : listing.peers) {
        std::string addr = p.address ? p.address->str() : (p.address6 ? p.address6->str() : "-");
        if (!p.stats) {
            std::printf("%-16s %-10s %-16s %-8s\n", p.name.c_str(), p.group.c_str(), addr.c_str(),
                        "not up");
            continue;
        }
        bool online =
            p.stats->last_handshake_sec != 0 && now - p.stats->last_handshake_sec < kOnlineWindow;
        std::printf("%-16s %-10s %-16s %-8s %-12s %12llu %12llu\n", p.name.c_str(), p.group.c_str(),
                    addr.c_str(), online ? "online" : "offline",
                    age(p.stats->last_handshake_sec).c_str(),
                    static_cast<unsigned long long>(p.stats->rx_bytes),
                    static_cast<unsigned long long>(p.stats->tx_bytes));
    }
    for (const auto& n : listing.notes) std::printf("note: %s\n", n.c_str());
}

int show_status(const gateway::Options& opt) {
    Diagnostics diags;
    auto session = gateway::open_session(opt, gateway::LockMode::none, diags);
    print_diagnostics(diags);
    if (!session) {
        print_error(session.error());
        return kExitFailure;
    }
    auto pending = gateway::pending_status(session->paths.dir);
    if (!pending) {
        print_error(pending.error());
        return kExitFailure;
    }
    if (*pending)
        std::printf("pending: %s\n", gateway::describe_pending(**pending).c_str());
    else
        std::printf("pending: none\n");

    auto live = gateway::system_gateway(opt);
    print_peers(gateway::list_peers(*session, *live));

    auto drift = gateway::plan_up(*session);
    if (!drift) {
        print_error(drift.error());
        return kExitFailure;
    }
    if (drift->ops.empty()) {
        std::printf("kernel: matches %s\n", opt.profile_path.c_str());
        return kExitOk;
    }
    std::printf("kernel: DRIFT, %zu change(s) needed:\n", drift->ops.size());
    for (const auto& op : drift->ops) std::printf("  %s\n", op.describe().c_str());
    return kExitDrift;
}

}  // namespace

void add_status_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand(
        "status", "Pending apply, peers (handshake, transfer) and drift from the profile");
    auto opt = std::make_shared<gateway::Options>();
    add_gateway_options(cmd, *opt);
    cmd->footer(
        "Exit status: 0 the kernel matches the profile, 3 it drifted (vpngw plan lists how),\n"
        "1 error.\nExample:\n  vpngw status /etc/vpngw/office.toml");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return show_status(*opt); }; });
}

}  // namespace vpngw::cli
