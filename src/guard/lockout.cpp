#include "guard/lockout.hpp"

#include <algorithm>
#include <sstream>

#include "ops/op.hpp"

namespace vpngw::guard {

namespace {

constexpr std::uint32_t kMainTable = 254;

std::string at(const Location& where) {
    return where.known() ? " (" + where.str() + ")" : "";
}

// A route a reply could take, and whether vpngw is the reason it exists.
struct Candidate {
    Prefix dst;
    std::string dev;
    std::string what;  // for the message
    Location where;
    bool vpngw = false;
};

const Candidate* longest_match(const std::vector<Candidate>& routes, const IpAddress& a,
                               int min_len_exclusive) {
    const Candidate* best = nullptr;
    for (const auto& c : routes)
        if (c.dst.family() == a.family && c.dst.contains(a) && c.dst.len > min_len_exclusive &&
            (!best || c.dst.len > best->dst.len))
            best = &c;
    return best;
}

// The main table once vpngw's addresses exist: the kernel's routes plus the
// connected prefixes of the planned interface addresses.
std::vector<Candidate> main_table(const ops::Desired& desired, const GuardKernel& kernel) {
    std::vector<Candidate> out;
    for (const auto& r : kernel.main_routes)
        if (r.type == state::RouteType::unicast)
            out.push_back({r.dst, r.dev, ops::describe_route(r), {}, false});
    for (const auto& a : desired.state.addresses)
        out.push_back({a.prefix.network(), a.ifname,
                       "[[interface]] " + a.ifname + " address " + a.prefix.str(), a.origin, true});
    return out;
}

std::vector<Candidate> vpngw_table(const ops::Desired& desired, std::uint32_t table) {
    std::vector<Candidate> out;
    for (const auto& r : desired.state.routes)
        if (r.table == table && r.type == state::RouteType::unicast)
            out.push_back({r.dst, r.dev, "route " + ops::describe_route(r), r.origin, true});
    return out;
}

std::string ingress_device(const IpAddress& server, const ops::Desired& desired,
                           const GuardKernel& kernel) {
    for (const auto& a : kernel.addresses)
        if (a.prefix.addr == server) return a.ifname;
    for (const auto& a : desired.state.addresses)
        if (a.prefix.addr == server) return a.ifname;
    return "";
}

// Follows vpngw's rules, then main, the way the kernel routes the reply
// from `server` to `client` of a connection that arrived on `ingress`.
std::optional<Candidate> reply_route(const model::Profile& profile, const ops::Desired& desired,
                                     const GuardKernel& kernel, const SshConnection& ssh,
                                     const std::string& ingress, std::string& via_rule,
                                     Location& rule_origin) {
    // New connections arriving on an uplink carry its mark (prerouting sets
    // the connection mark, output copies it to the replies).
    std::uint32_t mark = 0;
    for (const auto& u : profile.uplinks)
        if (u.device == ingress) mark = u.fwmark;
    auto main = main_table(desired, kernel);
    std::vector<state::Rule> rules = desired.state.rules;
    std::sort(rules.begin(), rules.end(),
              [](const state::Rule& a, const state::Rule& b) { return a.priority < b.priority; });
    for (const auto& r : rules) {
        if (r.family != ssh.client.family) continue;
        if (r.fwmark && (mark & r.fwmask) != *r.fwmark) continue;
        if (r.from && !r.from->contains(ssh.server)) continue;
        if (!r.iif.empty() && r.iif != "lo") continue;
        const Candidate* hit = nullptr;
        std::vector<Candidate> table;
        if (r.table == kMainTable) {
            hit = longest_match(main, ssh.client, r.suppress_prefixlength.value_or(-1));
        } else {
            table = vpngw_table(desired, r.table);
            hit = longest_match(table, ssh.client, -1);
        }
        if (hit) {
            via_rule = ops::describe_rule(r);
            rule_origin = r.origin;
            return *hit;
        }
    }
    if (const Candidate* hit = longest_match(main, ssh.client, -1)) return *hit;
    return std::nullopt;
}

void check_firewall(const model::Profile& profile, const SshConnection& ssh,
                    std::vector<Error>& out) {
    const auto& fw = profile.firewall;
    if (fw.input == model::Policy::accept) return;
    const std::string who = ssh.client.str();
    const std::string cut = " — your SSH session from " + who + " to port " +
                            std::to_string(ssh.server_port) + " would be cut";
    if (!fw.management) {
        out.push_back({"[firewall].input is \"drop\"" + at(fw.origin.at("input")) +
                           " and [firewall].management is not set, so nothing admits port " +
                           std::to_string(ssh.server_port) + cut,
                       fw.origin.at("input")});
        return;
    }
    const auto& m = *fw.management;
    if (m.port != ssh.server_port)
        out.push_back({"[firewall].management.port = " + std::to_string(m.port) +
                           at(m.origin.at("port")) + " is not the port of your SSH session (" +
                           std::to_string(ssh.server_port) + ")" + cut,
                       m.origin.at("port")});
    if (!m.allow.empty() && std::none_of(m.allow.begin(), m.allow.end(),
                                         [&](const Prefix& p) { return p.contains(ssh.client); }))
        out.push_back({"[firewall].management.allow" + at(m.origin.at("allow")) +
                           " does not contain " + who + cut,
                       m.origin.at("allow")});
}

void check_routing(const model::Profile& profile, const ops::Desired& desired,
                   const GuardKernel& kernel, const SshConnection& ssh, std::vector<Error>& out) {
    const std::string ingress = ingress_device(ssh.server, desired, kernel);
    std::string rule;
    Location rule_origin;
    auto route = reply_route(profile, desired, kernel, ssh, ingress, rule, rule_origin);
    if (!route || !route->vpngw || ingress.empty() || route->dev == ingress) return;
    std::string msg = "replies to " + ssh.client.str() + " would leave through " + route->dev +
                      ", not " + ingress + " where your SSH session arrives: " + route->what +
                      at(route->where);
    if (!rule.empty()) msg += " via rule \"" + rule + "\"" + at(rule_origin);
    msg += " — your SSH session would be cut";
    out.push_back({msg, route->where.known() ? route->where : rule_origin});
}

// Without an SSH session, the configured management sources must not be
// captured by vpngw's own networks (their replies would go into the tunnel).
void check_management_sources(const model::Profile& profile, const ops::Desired& desired,
                              std::vector<Error>& out) {
    const auto& m = profile.firewall.management;
    if (!m) return;
    for (const auto& src : m->allow)
        for (const auto& a : desired.state.addresses)
            if (a.prefix.network().contains(src.network()))
                out.push_back({"[[interface]] " + a.ifname + " address " + a.prefix.str() +
                                   at(a.origin) + " contains the management source " + src.str() +
                                   " in [firewall].management.allow" + at(m->origin.at("allow")) +
                                   " — replies to management connections would go into " + a.ifname,
                               a.origin});
}

}  // namespace

std::optional<SshConnection> parse_ssh_connection(const char* value) {
    if (!value || !*value) return std::nullopt;
    std::istringstream in(value);
    std::string client, server;
    unsigned client_port = 0, server_port = 0;
    if (!(in >> client >> client_port >> server >> server_port)) return std::nullopt;
    auto c = IpAddress::parse(client);
    auto s = IpAddress::parse(server);
    if (!c || !s || client_port > 65535 || server_port > 65535) return std::nullopt;
    return SshConnection{*c, static_cast<std::uint16_t>(client_port), *s,
                         static_cast<std::uint16_t>(server_port)};
}

std::vector<Error> check_lockout(const model::Profile& profile, const ops::Desired& desired,
                                 const std::optional<SshConnection>& ssh,
                                 const GuardKernel& kernel) {
    std::vector<Error> out;
    if (ssh) {
        check_firewall(profile, *ssh, out);
        check_routing(profile, desired, kernel, *ssh, out);
    } else {
        check_management_sources(profile, desired, out);
    }
    return out;
}

}  // namespace vpngw::guard
