#pragma once

// What dnsmasq reads for [dns] (pure; runtime.hpp writes it):
//
//   dnsmasq.conf   listen-address= per gateway interface address (bind-dynamic:
//                  only those, also when the interface appears after dnsmasq
//                  started), no-hosts, addn-hosts=<hosts>, local=/<zone>/ (the
//                  zone never goes upstream), server=<upstream> (or the host's
//                  resolv.conf), pid-file=<pid>.
//   hosts          "<address> <peer>.<zone>", one line per tunnel address of
//                  every peer whose name is a DNS label (escape::dns_label).
//
// Neither file format has an escape, so only validated text reaches them:
// addresses printed by IpAddress, the zone checked by the loader, peer names
// checked here, paths built from the gateway's name (a safe name).

#include <string>
#include <string_view>
#include <vector>

#include "model/profile.hpp"
#include "plan/allocate.hpp"

namespace vpngw::dns {

// Where the resolver's files live: /run/vpngw/dns-<gateway>/, readable by the
// unprivileged user dnsmasq drops to (it re-reads the hosts file on SIGHUP).
// Names and tunnel addresses are what the resolver serves anyway; no secret
// goes there.
struct Runtime {
    std::string dir;
    std::string config;  // dnsmasq.conf
    std::string hosts;
    std::string pid;  // dnsmasq.pid, written by dnsmasq
};
Runtime runtime_paths(const model::Profile& profile);

// dnsmasq.conf for profile.dns (which must be set).
std::string render_config(const model::Profile& profile, const Runtime& runtime);

struct Hosts {
    std::string text;
    std::size_t names = 0;             // peers that got a name
    std::vector<std::string> skipped;  // peers whose name is no DNS label
};
// `addresses` is index-aligned with profile.peers (plan::assign_addresses).
Hosts render_hosts(const model::Profile& profile,
                   const std::vector<plan::PeerAddresses>& addresses);

// One peer's lines of the hosts file, as render_hosts writes them; "" when
// its name is no DNS label or it has no address.
std::string host_lines(const std::string& zone, const std::string& peer,
                       const plan::PeerAddresses& addresses);

// `hosts` without the lines that name `peer` (a peer change edits one name
// instead of rendering every peer again).
std::string without_peer(std::string_view hosts, const std::string& zone, const std::string& peer);

}  // namespace vpngw::dns
