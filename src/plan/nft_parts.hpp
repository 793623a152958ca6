#pragma once

// The pieces of vpngw's nftables table. Each renderer returns complete
// `nft -f` text for its part; render_nft_ruleset() joins them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "plan/allocate.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan::nft {

// What every part needs: the profile and the facts derived from it once.
struct Context {
    const model::Profile& profile;
    // Peer elements and health state rendered (see render_nft_ruleset).
    bool live_elements = true;
    std::vector<PeerAddresses>
        peer_addresses;  // index-aligned with profile.peers; empty without live_elements
    // The same assigned by the caller (plan::desired_state has them): not
    // assigned a second time, which at a million peers cost 64 MB and a pass.
    const std::vector<PeerAddresses>* given_addresses = nullptr;
    const std::vector<PeerAddresses>& addresses() const {
        return given_addresses ? *given_addresses : peer_addresses;
    }
    std::vector<std::string> wg_interfaces;  // names, profile order
    // Devices clients come in on: the WireGuard interfaces, then the devices
    // of local networks ([[network]]), profile order.
    std::vector<std::string> client_devices;
    std::vector<Prefix> vpn_nets4;  // group subnets, sorted, none inside another
    std::vector<Prefix> vpn_nets6;
    // The sources that can only come from a client device: the group and
    // network subnets and the gateway's own addresses on its WireGuard
    // interfaces and bridges (host prefixes); sorted, none inside another.
    // Arriving on an uplink, they are spoofed (render_prerouting).
    std::vector<Prefix> vpn_sources4;
    std::vector<Prefix> vpn_sources6;

    // The peer addresses given, not those of p.peers (see render_nft_ruleset).
    const std::vector<IpAddress>* given_peers = nullptr;
    // Enabled peers with networks, a quota or a rate (plan/peer_limits.hpp):
    // given, or derived from p.peers. Part of the rules (and of the hash) in
    // both modes: their objects, map elements and network prefixes.
    std::vector<state::PeerLimits> limits;
    // What each quota object (by name) has used this period in the table
    // being replaced, carried over so replacing the table restarts no
    // peer's count; none on a fresh table and in the rules hash.
    const std::map<std::string, std::uint64_t>* quota_used = nullptr;

    Context(const model::Profile& p, bool live_elements,
            const std::vector<IpAddress>* given_peers = nullptr,
            const std::vector<state::PeerLimits>* given_limits = nullptr,
            const std::vector<PeerAddresses>* given_addresses = nullptr);
    const std::vector<Prefix>& vpn_nets(Family f) const {
        return f == Family::v4 ? vpn_nets4 : vpn_nets6;
    }
    const std::vector<Prefix>& vpn_sources(Family f) const {
        return f == Family::v4 ? vpn_sources4 : vpn_sources6;
    }
};

// The conntrack label bit of the connections vpngw admitted: its DNAT rules
// set it (so the forward chain accepts the DNATs vpngw made and no other
// table's, a container engine's) and so does every accept of a group chain
// (so a connection is classified once, on its first packet). A label, not a
// ct mark bit: the ct mark holds an uplink's whole fwmark (any 32-bit value
// a profile may choose, matched with mask 0xffffffff by the routing rules),
// so no mark bit is free. The highest of the 128 bits, away from the low
// ones tools number from.
inline constexpr int kAdmittedLabel = 127;

// --- names and literals (nft_names.cpp) ---
// Profile names may hold '=' and '+', which nft identifiers may not; they
// become "/e" and "/p" ('/' is valid in identifiers and never in a name, so
// distinct names stay distinct).
std::string identifier(const std::string& name);
std::string group_chain(const std::string& group);               // grp_staff
std::string group_set(const std::string& group, Family family);  // grp_staff_net4
// The addresses of all WireGuard peers, a plain set: peers4 / peers6.
std::string peer_set(Family family);
// The dynamic set `ct count` keeps per client address: grp_staff_conns4.
std::string group_conn_set(const std::string& group, Family family);
std::string quoted(const std::string& text);  // "eth0"
std::string mark(std::uint32_t value);        // 0x00051001
// `"wg0"` for one name, `{ "wg0", "wg1" }` for several.
std::string ifname_match(const std::vector<std::string>& names);
// `10.0.0.0/8` for one item, `{ a, b }` for several.
std::string value_or_set(const std::vector<std::string>& items);
const char* ip_keyword(Family f);  // "ip" / "ip6"
const char* addr_type(Family f);   // "ipv4_addr" / "ipv6_addr"
char family_digit(Family f);       // '4' / '6'

// Per-peer limits (nft_limits.cpp). Objects: `quota q_<peer>` and `limit
// r_<peer>_up` / `r_<peer>_dn`; maps from a peer's address to them
// (quota4/6, rate_up4/6, rate_down4/6) and from its networks to its group's
// chain (peer_nets4/6). The names are also what the live commands use.
std::string quota_object(const std::string& peer);
std::string rate_object(const std::string& peer, bool up);
std::string quota_map(Family f);
std::string rate_map(bool up, Family f);
std::string peer_nets_map(Family f);
// The objects' definitions: "over 10485760 bytes", "rate over 2500000
// bytes/second burst 250000 bytes".
std::string quota_body(const model::Quota& quota, std::uint64_t used = 0);
std::string rate_body(std::uint64_t bits_per_second);
// The token bucket of a rate: what rate_body writes, as numbers (the live
// add sends them as a netlink object).
struct RateBucket {
    std::uint64_t bytes_per_second = 0;
    std::uint64_t burst_bytes = 0;
};
RateBucket rate_bucket(std::uint64_t bits_per_second);
// The networks behind peers of `group` (they belong to the group for its
// allow and isolate rules), of one family.
std::vector<Prefix> group_networks(const Context& ctx, const std::string& group, Family f);
std::string render_limit_objects(const Context& ctx);
// `nft` commands that add (or delete) the networks behind one peer in a
// running table, as one transaction (its quota and rate objects and their
// map elements go in as one netlink batch: gateway/peers_apply.cpp).
// Networks go into the group's set, the VPN source and NAT sets and the
// network vmap, interval sets whose merging `nft` does; their egress mark
// and their place in not_internet follow at the next `up`, which renders
// them. "" when the peer has no networks.
std::string network_commands(const state::PeerLimits& limits, bool add);
// The rate and quota rules live in their own chain, `rate_quota`, which the
// forward chain jumps to first (every packet counts, established ones too).
// Both exist only while some peer has a quota or a rate: peers without
// limits then pay nothing for them (docs/benchmarks.md, "New flows").
inline constexpr const char* kLimitsChain = "rate_quota";
bool has_rate_or_quota(const Context& ctx);
// The chain: rate limits, then quotas, each direction ("" when no peer has
// a limit).
std::string render_limits_chain(const Context& ctx);
// The chain in a running table that has none (the first limited peer added
// live), in two steps. Its rules name the quota and limit maps, for which
// `nft` fetches every object of the table: the probe alone fetches only the
// chains and tells whether the chain is there.
// `create chain inet vpngw rate_quota`: fails ("File exists") when the
// chain is there; creates it (empty: limits_chain_rules() fill it) when not.
std::string limits_chain_probe();
// The chain's rules and the forward chain's jump to it.
std::string limits_chain_rules();
// `delete chain inet vpngw rate_quota`: a probe's empty chain whose rules failed.
std::string limits_chain_removal();

// --- the parts ---
std::string render_objects(const Context& ctx);          // counters, sets, maps (nft_sets.cpp)
std::string render_prerouting(const Context& ctx);       // marks (nft_mangle.cpp)
std::string render_output(const Context& ctx);           // (nft_mangle.cpp)
std::string render_nat_prerouting(const Context& ctx);   // port forwards (nft_nat.cpp)
std::string render_nat_postrouting(const Context& ctx);  // (nft_nat.cpp)
std::string render_input(const Context& ctx);            // (nft_input.cpp)
std::string render_forward(const Context& ctx);          // (nft_forward.cpp)
std::string render_limits_chain(const Context& ctx);     // (nft_limits.cpp)
std::string render_group_chains(const Context& ctx);     // (nft_groups.cpp)
// Transparent proxies (nft_proxy.cpp): exempt sets, the REDIRECT nat chain,
// the TPROXY chain, and the input rules that let intercepted traffic in.
std::string render_proxy_objects(const Context& ctx);
std::string render_proxy_redirect(const Context& ctx);
std::string render_proxy_tproxy(const Context& ctx);
void proxy_input(const Context& ctx, std::vector<std::string>& rules);
// With [cluster]: keepalived's VRRP advertisements on the uplink and
// conntrackd's sync from the other member (nft_cluster.cpp).
void cluster_input(const Context& ctx, std::vector<std::string>& rules);
// Forward-chain rules for local networks: classify by device, drop spoofed
// sources (nft_networks.cpp).
std::vector<std::string> network_forward_rules(const Context& ctx);
// The device a group's clients sit behind: its WireGuard interface, or a
// network's device.
const std::string& client_device(const model::Group& g);
// Uplink load balancing (nft_balance.cpp): a map per balanced group, and the
// prerouting rules (each starting with `from_wg`) that draw a mark from it.
std::string render_balance_maps(const Context& ctx);
std::vector<std::string> balance_rules(const Context& ctx, const std::string& from_wg);

// The allow target "internet" (nft_internet.cpp): whether any group uses
// it, and what it is not, per family: special-purpose ranges plus vpngw's own
// subnets and interface prefixes, the elements of the sets not_internet4/6
// (may overlap: the set merges them). "internet" is one negated lookup.
bool uses_internet(const model::Profile& p);
std::vector<Prefix> not_internet(const model::Profile& p, Family f);
std::string not_internet_set(Family f);  // not_internet4 / not_internet6

// Drop logging + counting, shared by input and forward: `limit rate 10/minute
// log prefix "vpngw forward drop: "` and `counter name forward_drops`.
std::vector<std::string> drop_accounting(const Context& ctx, const std::string& what);

// `name { header lines; rules }` with the tab indentation nft itself prints.
std::string chain(const std::string& name, const std::string& hook_line,
                  const std::vector<std::string>& rules);

}  // namespace vpngw::plan::nft
