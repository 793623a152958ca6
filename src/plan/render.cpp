#include "plan/render.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "state/describe.hpp"

namespace vpngw::plan {
namespace {

using state::table_name;

std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

const char* family_name(Family f) {
    return f == Family::v4 ? "ipv4" : "ipv6";
}

void section(std::string& out, const std::string& title, const std::vector<std::string>& lines) {
    out += "# " + title + "\n";
    if (lines.empty()) out += "  (none)\n";
    for (const auto& l : lines) out += l + "\n";
}

std::vector<std::string> links(const state::KernelState& s) {
    std::vector<std::string> out;
    for (const auto& l : s.links)
        out.push_back("+ " + l.name + "  " + l.kind + " mtu " + std::to_string(l.mtu) +
                      (l.up ? " up" : " down"));
    return out;
}

std::vector<std::string> addresses(const state::KernelState& s) {
    std::vector<std::string> out;
    for (const auto& a : s.addresses) out.push_back("+ " + a.prefix.str() + " dev " + a.ifname);
    return out;
}

std::string route_line(const state::Route& r) {
    std::string line = "+ ";
    switch (r.type) {
        case state::RouteType::blackhole:
            line += "blackhole ";
            break;
        case state::RouteType::unreachable:
            line += "unreachable ";
            break;
        case state::RouteType::local:
            line += "local ";
            break;
        case state::RouteType::unicast:
            break;
    }
    // "default" alone reads as IPv4 when no IPv6 next hop says otherwise.
    line += r.dst.len == 0 && (r.dst.family() == Family::v4 || r.via) ? "default" : r.dst.str();
    if (r.via) line += " via " + r.via->str();
    if (!r.dev.empty()) line += " dev " + r.dev;
    if (r.metric) line += " metric " + std::to_string(r.metric);
    return line;
}

// Routes grouped per table (ascending), each table in plan order.
std::vector<std::string> routes(const state::KernelState& s) {
    std::map<std::uint32_t, std::vector<const state::Route*>> by_table;
    for (const auto& r : s.routes) by_table[r.table].push_back(&r);
    std::vector<std::string> out;
    for (const auto& [table, rs] : by_table) {
        out.push_back("table " + table_name(table) + ":");
        for (const auto* r : rs) out.push_back(route_line(*r));
    }
    return out;
}

std::vector<std::string> rules(const state::KernelState& s) {
    std::vector<std::string> out;
    for (const auto& r : s.rules) {
        std::string line = "+ " + std::string(family_name(r.family)) + " " +
                           std::to_string(r.priority) + ": from " +
                           (r.from ? r.from->str() : "all");
        if (!r.iif.empty()) line += " iif " + r.iif;
        if (r.fwmark) {
            line += " fwmark " + hex(*r.fwmark);
            if (r.fwmask != 0xffffffff) line += "/" + hex(r.fwmask);
        }
        line += " lookup " + table_name(r.table);
        if (r.suppress_prefixlength)
            line += " suppress_prefixlength " + std::to_string(*r.suppress_prefixlength);
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> wireguard(const state::KernelState& s) {
    std::vector<std::string> out;
    for (const auto& d : s.wireguard) {
        out.push_back("+ " + d.ifname + "  listen-port " + std::to_string(d.listen_port) +
                      "  fwmark " + (d.fwmark ? hex(d.fwmark) : std::string("off")) + "  backend " +
                      model::to_string(d.backend));
        // The path only: key contents never appear in a plan.
        out.push_back("    private-key-file " + d.private_key_file);
        out.push_back("    peers: " + std::to_string(d.peers.size()));
        for (const auto& p : d.peers) {
            out.push_back("    + peer " + p.public_key.base64() + "  (" + p.name + ")");
            std::string ips;
            for (const auto& a : p.allowed_ips) ips += (ips.empty() ? "" : ", ") + a.str();
            out.push_back("        allowed-ips " + (ips.empty() ? "(none)" : ips));
            if (p.endpoint) out.push_back("        endpoint " + p.endpoint->str());
            if (p.keepalive) out.push_back("        keepalive " + std::to_string(p.keepalive));
            if (!p.preshared_key_file.empty())
                out.push_back("        preshared-key-file " + p.preshared_key_file);
        }
    }
    return out;
}

std::vector<std::string> sysctls(const state::KernelState& s) {
    std::vector<std::string> out;
    for (const auto& c : s.sysctls) out.push_back("+ " + c.key + " = " + c.value);
    return out;
}

}  // namespace

std::string render_state(const state::KernelState& s) {
    std::string out;
    section(out, "links", links(s));
    section(out, "addresses", addresses(s));
    section(out, "routes", routes(s));
    section(out, "rules", rules(s));
    section(out, "wireguard", wireguard(s));
    section(out, "sysctls", sysctls(s));
    out += "# nftables\n";
    out += s.nft_ruleset.empty() ? "  (none)\n" : s.nft_ruleset;
    return out;
}

}  // namespace vpngw::plan
