#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "dns/runtime.hpp"
#include "gateway/peer_names.hpp"

namespace vpngw::cli {

namespace {

struct DnsOptions {
    gateway::Options gateway;
    std::string dnsmasq = "dnsmasq";
};

// Renders the configuration and hosts file, then becomes dnsmasq (same PID,
// so systemd and the pid file see the resolver itself).
int run_serve(const DnsOptions& opt) {
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    const auto& profile = session->profile;
    if (!profile.dns) {
        std::fprintf(stderr, "%s has no [dns] table; nothing to serve\n",
                     opt.gateway.profile_path.c_str());
        return kExitFailure;
    }
    auto addresses = gateway::peer_name_addresses(*session);
    if (!addresses) {
        print_error(addresses.error());
        return kExitFailure;
    }
    auto hosts = dns::write_files(profile, *addresses);
    if (!hosts) {
        print_error(hosts.error());
        return kExitFailure;
    }
    const auto runtime = dns::runtime_paths(profile);
    std::fprintf(stderr, "names: %zu peer(s) in %s (%s)\n", hosts->names, profile.dns->zone.c_str(),
                 runtime.hosts.c_str());
    for (const auto& name : hosts->skipped)
        std::fprintf(stderr, "note: peer %s has no DNS name (not a DNS label)\n", name.c_str());
    std::fflush(stderr);
    const std::string conf = "--conf-file=" + runtime.config;
    const char* argv[] = {opt.dnsmasq.c_str(), "--keep-in-foreground", "--log-facility=-",
                          conf.c_str(), nullptr};
    ::execvp(argv[0], const_cast<char* const*>(argv));
    std::fprintf(stderr, "error: cannot run %s: %s (Debian package dnsmasq-base)\n",
                 opt.dnsmasq.c_str(), std::strerror(errno));
    return kExitFailure;
}

}  // namespace

std::vector<Command> dns_commands() {
    auto opt = std::make_shared<DnsOptions>();
    auto options = gateway_options(opt->gateway);
    options.push_back({.names = "--dnsmasq",
                       .target = &opt->dnsmasq,
                       .help = "dnsmasq binary",
                       .show_default = true});
    return {{
        .name = "dns",
        .help = "Peers' names in DNS ([dns]): the gateway's resolver",
        .footer = "Example:\n  vpngw dns serve /etc/vpngw/office.toml",
        .subcommands = {{
            .name = "serve",
            .help = "Write the resolver's files and run dnsmasq in the foreground",
            .footer = "systemd: vpngw-dns@.service. Peer add/remove rewrite the names and "
                      "reload it.\nExample:\n  vpngw dns serve /etc/vpngw/office.toml",
            .options = std::move(options),
            .action = [opt] { return run_serve(*opt); },
        }},
    }};
}

}  // namespace vpngw::cli
