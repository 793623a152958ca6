// `vpngw peer disable|enable|edit|rotate|export|import`: the gateway's
// lifecycle functions (gateway/peers.hpp) with their options parsed and their
// reports printed.
#include <cstdio>

#include "cli/exit_codes.hpp"
#include "cli/open_session.hpp"
#include "cli/peer_cli.hpp"
#include "cli/print.hpp"
#include "gateway/peer_names.hpp"
#include "json/json_view.hpp"
#include "model/peer_limits.hpp"
#include "registry/peer_text.hpp"

namespace vpngw::cli {
namespace {

int usage(const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.message.c_str());
    return kExitUsage;
}

// A session for a change of one peer: the lock held, no peer merged.
std::optional<gateway::Session> change_session(const PeerOptions& opt) {
    return open_session_or_report(opt.session_options(), gateway::LockMode::exclusive,
                                  gateway::StoredPeers::none, print_profile_errors);
}

// What a lifecycle change did, and the new config when the client needs it.
int report_change(const PeerOptions& opt, const char* verb,
                  const Result<gateway::PeerChangeReport>& r) {
    if (!r) {
        print_error(r.error());
        return kExitFailure;
    }
    print_notes(r->notes);
    const auto& p = r->after;
    std::fprintf(stderr, "peer %s %s (group %s, %s)\n", p.name.c_str(), verb, p.group.c_str(),
                 address_list(p.address, p.address6).c_str());
    std::fprintf(stderr, "%s\n", r->live.note.c_str());
    if (!r->config_changed) return kExitOk;
    std::fprintf(stderr,
                 "the client config changed: the client must import the new one (%s, printed "
                 "below)\n",
                 r->config_path.c_str());
    write_out(r->client_config.view());
    return emit_qr(opt, r->client_config) ? kExitOk : kExitFailure;
}

int run_disable(const PeerOptions& opt, bool enable) {
    auto session = change_session(opt);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto r = enable ? gateway::enable_peer(*session, opt.name, *live)
                    : gateway::disable_peer(*session, opt.name, *live);
    return report_change(opt, enable ? "enabled" : "disabled", r);
}

int run_edit(const PeerOptions& opt) {
    if (int rc = check_qr_options(opt); rc != kExitOk) return rc;
    gateway::EditPeerRequest rq;
    rq.name = opt.name;
    if (!opt.rename.empty()) rq.rename = opt.rename;
    if (!opt.group.empty()) rq.group = opt.group;
    auto addresses = parse_addresses(opt.address);
    if (!addresses) return usage(addresses.error());
    rq.addresses = *addresses;
    if (!opt.expires.empty() && opt.no_expiry) return usage({"--expires and --no-expiry conflict"});
    if (!opt.quota.empty() && opt.no_quota) return usage({"--quota and --no-quota conflict"});
    if (!opt.rate.empty() && opt.no_rate) return usage({"--rate and --no-rate conflict"});
    if (!opt.node.empty() && opt.no_node) return usage({"--node and --no-node conflict"});
    if (!opt.node.empty() || opt.no_node) rq.node = opt.node;
    if (opt.no_expiry) rq.expires = std::optional<std::chrono::sys_seconds>{};
    if (!opt.expires.empty()) {
        auto e = model::parse_expiry(opt.expires, gateway::now_utc());
        if (!e) return usage({"--expires: " + e.error().message});
        rq.expires = std::optional<std::chrono::sys_seconds>(*e);
    }
    if (opt.no_quota) rq.quota = std::optional<model::Quota>{};
    if (!opt.quota.empty()) {
        auto q = model::parse_quota(opt.quota);
        if (!q) return usage({"--quota: " + q.error().message});
        rq.quota = std::optional<model::Quota>(*q);
    }
    if (opt.no_rate) rq.rate_bits = std::optional<std::uint64_t>{};
    if (!opt.rate.empty()) {
        auto q = model::parse_rate(opt.rate);
        if (!q) return usage({"--rate: " + q.error().message});
        rq.rate_bits = std::optional<std::uint64_t>(*q);
    }
    auto add = parse_networks(opt.networks, "--network");
    if (!add) return usage(add.error());
    rq.add_networks = *add;
    auto remove = parse_networks(opt.no_networks, "--no-network");
    if (!remove) return usage(remove.error());
    rq.remove_networks = *remove;
    auto session = change_session(opt);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto r = gateway::edit_peer(*session, rq, *live);
    const int rc = report_change(opt, "changed", r);
    // A new name or address changes what the DNS names resolve to.
    if (r) print_notes({gateway::update_peer_name(*session, r->before, r->after)});
    return rc;
}

int run_rotate(const PeerOptions& opt) {
    if (int rc = check_qr_options(opt); rc != kExitOk) return rc;
    auto session = change_session(opt);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    return report_change(opt, opt.psk_only ? "has a new preshared key" : "has a new key pair",
                         gateway::rotate_peer(*session, opt.name, opt.psk_only, *live));
}

int run_export(const PeerOptions& opt) {
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::none,
                                          gateway::StoredPeers::none, print_profile_errors);
    if (!session) return kExitFailure;
    auto exported = gateway::export_peers(*session);
    if (!exported) {
        print_error(exported.error());
        return kExitFailure;
    }
    print_notes(exported->notes);
    const auto& peers = exported->peers;
    const std::string text =
        opt.json ? json::peer_export_json(peers) : registry::format_peers_text(peers);
    return print_or_write(text, opt.output, 0600);
}

int run_import(const PeerOptions& opt) {
    auto session = change_session(opt);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto r = gateway::import_peers(*session, opt.file, *live);
    if (!r) {
        print_error(r.error());
        return kExitFailure;
    }
    print_notes(r->notes);
    std::fprintf(stderr, "%zu peers imported from %s; %s\n", r->added, opt.file.c_str(),
                 r->live.note.c_str());
    print_notes({gateway::refresh_peer_names(*session)});
    return kExitOk;
}

}  // namespace

std::vector<Command> peer_lifecycle_subcommands(const std::shared_ptr<PeerOptions>& opt,
                                                const Option& name) {
    Command disable{
        .name = "disable",
        .help = "Take a peer out of the kernel now; keys, address and config are kept",
        .footer = "Example:\n  vpngw peer disable bob",
        .options = join({name}, common_options(*opt)),
        .action = [opt] { return run_disable(*opt, false); },
    };
    Command enable{
        .name = "enable",
        .help = "Put a disabled peer back, at the same address",
        .footer = "Example:\n  vpngw peer enable bob",
        .options = join({name}, common_options(*opt)),
        .action = [opt] { return run_disable(*opt, true); },
    };
    Command edit{
        .name = "edit",
        .help = "Change a peer live: name, group, address, expiry, quota, rate, networks",
        .footer =
            "Examples:\n  vpngw peer edit bob --group guests\n"
            "  vpngw peer edit bob --expires 2027-01-31 --no-quota\n"
            "  vpngw peer edit branch --network 192.168.51.0/24 --no-network "
            "192.168.50.0/24",
        .options = join(
            {
                name,
                {.names = "--rename",
                 .target = &opt->rename,
                 .help = "New name",
                 .type_name = "NEW"},
                {.names = "-g,--group",
                 .target = &opt->group,
                 .help = "Move to this group (a new address unless --address)"},
                {.names = "--address",
                 .target = &opt->address,
                 .help = "New fixed address(es): A or A,A6",
                 .type_name = "A[,A6]"},
                {.names = "--expires",
                 .target = &opt->expires,
                 .help = "New expiry (30d, 2027-01-31)"},
                {.names = "--no-expiry", .target = &opt->no_expiry, .help = "Never expire"},
                {.names = "--quota", .target = &opt->quota, .help = "New quota (50GiB/month)"},
                {.names = "--no-quota", .target = &opt->no_quota, .help = "No quota"},
                {.names = "--rate", .target = &opt->rate, .help = "New rate limit (20mbit)"},
                {.names = "--no-rate", .target = &opt->no_rate, .help = "No rate limit"},
                {.names = "--node",
                 .target = &opt->node,
                 .help = "Serve the peer from this fleet gateway only ([cluster] node)",
                 .type_name = "NAME"},
                {.names = "--no-node",
                 .target = &opt->no_node,
                 .help = "Serve the peer from every fleet gateway"},
                {.names = "--network",
                 .target = &opt->networks,
                 .help = "Add a network behind the peer (repeatable)",
                 .type_name = "CIDR"},
                {.names = "--no-network",
                 .target = &opt->no_networks,
                 .help = "Remove a network behind the peer (repeatable)",
                 .type_name = "CIDR"},
            },
            qr_options(*opt), common_options(*opt)),
        .action = [opt] { return run_edit(*opt); },
    };
    Command rotate{
        .name = "rotate",
        .help = "New client key pair (or preshared key), config and QR; the old key stops at once",
        .footer = "Examples:\n  vpngw peer rotate bob\n  vpngw peer rotate bob --psk-only",
        .options = join({name,
                         {.names = "--psk-only",
                          .target = &opt->psk_only,
                          .help = "Only a new preshared key; the key pair stays"}},
                        qr_options(*opt), common_options(*opt)),
        .action = [opt] { return run_rotate(*opt); },
    };
    Command exp{
        .name = "export",
        .help = "Every registry peer as text (TOML, or --json): a backup `peer import` reads",
        .footer = "Example:\n  vpngw peer export -o peers-backup.toml",
        .options = join({{.names = "--json", .target = &opt->json, .help = "JSON instead of TOML"},
                         {.names = "-o,--output",
                          .target = &opt->output,
                          .help = "Write to this file (0600) instead of stdout"}},
                        common_options(*opt)),
        .action = [opt] { return run_export(*opt); },
    };
    Command imp{
        .name = "import",
        .help = "Add the peers of a `peer export` file: all of them or none",
        .footer = "Example:\n  vpngw peer import peers-backup.toml",
        .options = join({{.names = "file",
                          .target = &opt->file,
                          .help = "A file written by `vpngw peer export`",
                          .required = true}},
                        common_options(*opt)),
        .action = [opt] { return run_import(*opt); },
    };
    std::vector<Command> out;
    for (auto* c : {&disable, &enable, &edit, &rotate, &exp, &imp}) out.push_back(std::move(*c));
    return out;
}

}  // namespace vpngw::cli
