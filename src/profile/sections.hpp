#pragma once

// One reader per kind of table. Each fills the model from its own tables and
// reports what is wrong with their values; relations between tables (names
// that must exist, overlaps, uniqueness) are the business of checks.hpp.

#include <optional>
#include <vector>

#include "model/profile.hpp"
#include "profile/context.hpp"
#include "profile/toml_reader.hpp"

namespace vpngw::profile {

void read_gateway(Context& ctx, TableReader& root, model::Gateway& gateway);

// Also returns [firewall].nat, the default NAT mode of uplinks.
void read_firewall(Context& ctx, TableReader& root, model::Firewall& firewall,
                   std::optional<Located<model::NatMode>>& default_nat);

std::vector<model::Uplink> read_uplinks(Context& ctx, TableReader& root,
                                        const std::optional<Located<model::NatMode>>& default_nat);
std::vector<model::Interface> read_interfaces(Context& ctx, TableReader& root,
                                              const std::string& state_dir);
std::vector<model::Group> read_groups(Context& ctx, TableReader& root);
// The keys groups and networks share (read_groups.cpp): egress, isolate,
// allow, max_connections, proxy.
void read_source_policy(Context& ctx, TableReader& group, model::Group& g);
// "subnet" / "subnet6" of a group or network (`kind`), at least one of them.
void read_subnets(Context& ctx, TableReader& group, model::Group& g, const char* kind);
// A group's transparent proxies ([[group.proxy]]), see read_proxy.cpp.
std::vector<model::Proxy> read_proxies(Context& ctx, TableReader& group, const std::string& name);
// [[network]] tables: groups whose `device` is set (local networks).
std::vector<model::Group> read_networks(Context& ctx, TableReader& root);
std::vector<model::Forward> read_forwards(Context& ctx, TableReader& root);
std::vector<model::Peer> read_peers(Context& ctx, TableReader& root);
// [dns] (read_dns.cpp); then, once groups and peers are read, its defaults:
// groups without `dns` get their interface's addresses, and peers whose name
// is no DNS label are reported (they get no name).
std::optional<model::Dns> read_dns(Context& ctx, TableReader& root);
void apply_dns(Context& ctx, model::Profile& profile);

// `egress` of a group: one uplink name, or a list of weighted uplinks
// (read_egress.cpp). Fills group.egress and group.balance.
void read_egress(Context& ctx, TableReader& group_reader, model::Group& group);

// An uplink's `health = { probe = ..., ... }` (read_health.cpp).
std::optional<model::HealthCheck> read_health(Context& ctx, TableReader& uplink_reader);

// [cluster] (read_cluster.cpp): needs the uplinks, which [cluster.vrrp] names.
std::optional<model::Cluster> read_cluster(Context& ctx, TableReader& root,
                                           const std::vector<model::Uplink>& uplinks);

// One entry of a group's allow list: TARGET [PROTO[/PORT[-PORT]]].
std::optional<model::AllowEntry> read_allow_entry(Context& ctx, const Text& text);

}  // namespace vpngw::profile
