#include "wgquick/translate.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "escape/escape.hpp"
#include "store/state_paths.hpp"
#include "wgquick/hooks.hpp"

namespace vpngw::wgquick {

namespace {

// A TOML string. Only invalid UTF-8 has no TOML form; it is written as its
// \xHH text instead (and a state_dir like that is refused before this).
std::string quoted(const std::string& s) {
    if (auto q = escape::toml_string(s)) return *q;
    return *escape::toml_string(escape::visible(s));
}

// Text after '#': one TOML comment line whatever the source holds.
std::string comment(const std::string& s) {
    return escape::visible(s);
}

std::optional<Prefix> first_of(const std::vector<Prefix>& addresses, Family family) {
    for (const auto& a : addresses)
        if (a.family() == family) return a;
    return std::nullopt;
}

// Names handed out so far, and for each stem the next number to try after
// it: a name that repeats 20,000 times would otherwise try 2, 3, ... again
// each time (93 s). Every (stem, number) pair is tried at most once, and a
// candidate is refused only when an earlier peer holds it, so the whole
// import tries fewer than twice as many names as it has peers.
struct NameRegistry {
    std::unordered_set<std::string> used;
    std::unordered_map<std::string, int> next_number;
};

std::string unique_name(std::string name, NameRegistry& names, std::size_t index) {
    if (name.empty()) name = "peer" + std::to_string(index + 1);
    if (names.used.insert(name).second) return name;
    for (int n = 2;;) {
        const std::string suffix = "-" + std::to_string(n);
        // Names are at most 15 characters: the suffix replaces the stem's tail.
        std::string stem = name.substr(0, 15 - suffix.size());
        int& next = names.next_number[stem];
        if (next > n) {
            n = next;  // the numbers below were tried for this stem already
            continue;
        }
        next = n + 1;
        std::string candidate = std::move(stem) + suffix;
        if (names.used.insert(candidate).second) return candidate;
        ++n;
    }
}

// A peer's tunnel addresses: its first single-host AllowedIPs of each
// family inside the interface's prefixes. The rest (more addresses, routed
// networks) are kept as the peer's networks.
ImportedPeer import_peer(const Peer& p, const std::string& name, const std::optional<Prefix>& net4,
                         const std::optional<Prefix>& net6,
                         std::vector<std::string>& untranslated) {
    ImportedPeer out{name, p.public_key, std::nullopt, std::nullopt, p.preshared_key, p.keepalive,
                     {}};
    for (const auto& a : p.allowed_ips) {
        const bool host = a.len == a.addr.bits();
        if (host && a.family() == Family::v4 && net4 && net4->contains(a.addr) && !out.address)
            out.address = a.addr;
        else if (host && a.family() == Family::v6 && net6 && net6->contains(a.addr) &&
                 !out.address6)
            out.address6 = a.addr;
        else
            out.networks.push_back(a.network());
    }
    if (p.endpoint)
        untranslated.push_back("line " + std::to_string(p.line) + ": peer " + name +
                               ": Endpoint = " + p.endpoint->str() +
                               " (vpngw peers are clients that dial in; the kernel learns their "
                               "endpoint)");
    return out;
}

void interface_notes(const Config& c, const HookFacts& hooks,
                     std::vector<std::string>& untranslated) {
    for (std::size_t i = 0; i < c.hooks.size(); ++i)
        if (!hooks.translated[i])
            untranslated.push_back("line " + std::to_string(c.hooks[i].line) + ": " +
                                   c.hooks[i].key + " = " + c.hooks[i].command);
    if (!c.dns.empty()) {
        std::string list;
        for (const auto& d : c.dns) list += (list.empty() ? "" : ", ") + d;
        untranslated.push_back("DNS = " + list +
                               " (the gateway's own resolvers; client DNS is [[group]] dns)");
    }
    if (c.table)
        untranslated.push_back("Table = " + *c.table +
                               " (vpngw routes the client subnets itself; uplinks have tables)");
    if (c.save_config) untranslated.push_back("SaveConfig (vpngw's profile is the only source)");
}

// A group of imported peers: the interface's prefix of each family its
// peers have an address of.
struct GroupPlan {
    std::string name;
    std::optional<Prefix> subnet;
    std::optional<Prefix> subnet6;
};

// The uplinks the hooks' MASQUERADEs name: device -> a profile name.
struct UplinkPlan {
    std::string name;
    std::string device;
};

std::string profile_text(const Config& c, const ImportOptions& o, const Imported& in,
                         const std::vector<UplinkPlan>& uplinks,
                         const std::vector<GroupPlan>& groups,
                         const std::vector<std::string>& group_of,
                         const std::vector<std::string>& translated) {
    const store::StatePaths paths{o.state_dir};
    std::string t;
    t += "# Imported from " + comment(o.source) + " by `vpngw import wg-quick`.\n";
    t += "# The WireGuard side is what wg-quick ran: `vpngw plan` shows no WireGuard change.\n";
    t += "# vpngw adds its own firewall, NAT and forwarding: review [firewall] and [[group]] "
         "allow.\n";
    if (!translated.empty()) {
        t += "#\n# Hook lines carried over (vpngw does this itself now):\n";
        for (const auto& u : translated) t += "#   " + comment(u) + "\n";
    }
    if (!in.untranslated.empty()) {
        t += "#\n# Not translated (carry these over by hand if you still need them):\n";
        for (const auto& u : in.untranslated) t += "#   " + comment(u) + "\n";
    }
    t += "\n[gateway]\nname = " + quoted(o.ifname) + "\n";
    t += "state_dir = " + quoted(o.state_dir) + "\n";
    for (const auto& u : uplinks) {
        t += "\n# wg-quick's PostUp masqueraded client traffic out of " + comment(u.device) +
             ";\n# its routing stays the main table's (no gateway: no table of its own).\n";
        t += "[[uplink]]\nname = " + quoted(u.name) + "\ndevice = " + quoted(u.device) +
             "\nnat = \"masquerade\"\n";
    }
    t += "\n[[interface]]\nname = " + quoted(o.ifname) + "\n";
    t += "listen_port = " + std::to_string(c.listen_port.value_or(51820)) + "\n";
    if (c.mtu) t += "mtu = " + std::to_string(*c.mtu) + "\n";
    t += "address = [";
    for (std::size_t i = 0; i < c.addresses.size(); ++i)
        t += (i ? ", " : "") + quoted(c.addresses[i].str());
    t += "]\n";
    if (c.fwmark && *c.fwmark) t += "fwmark = " + std::to_string(*c.fwmark) + "\n";
    t += "# The key wg-quick used, copied to " + comment(paths.key_file(o.ifname)) + "\n";

    for (const auto& g : groups) {
        t += "\n[[group]]\nname = " + quoted(g.name) + "\ninterface = " + quoted(o.ifname) + "\n";
        if (g.subnet) t += "subnet = " + quoted(g.subnet->str()) + "\n";
        if (g.subnet6) t += "subnet6 = " + quoted(g.subnet6->str()) + "\n";
        t += "# wg-quick set no limits: clients may reach anything, as before.\nallow = "
             "[\"any\"]\n";
    }

    t += "\n[firewall]\n# wg-quick left SSH open to all: narrow `allow` to your own addresses.\n";
    t += "management = { port = 22 }\n";

    for (std::size_t i = 0; i < in.peers.size(); ++i) {
        const auto& p = in.peers[i];
        const GroupPlan* g = nullptr;
        for (const auto& x : groups)
            if (x.name == group_of[i]) g = &x;
        t += "\n[[peer]]\nname = " + quoted(p.name) + "\ngroup = " + quoted(group_of[i]) + "\n";
        t += "public_key = " + quoted(p.public_key.base64()) + "\n";
        if (p.address && g && g->subnet) t += "address = " + quoted(p.address->str()) + "\n";
        if (p.address6 && g && g->subnet6) t += "address6 = " + quoted(p.address6->str()) + "\n";
        if (p.preshared_key)
            if (auto psk = paths.psk_file(p.name))  // names are sanitized: always
                t += "preshared_key_file = " + quoted(*psk) + "\n";
        if (p.keepalive && *p.keepalive) t += "keepalive = " + std::to_string(*p.keepalive) + "\n";
        if (!p.networks.empty()) {
            t += "networks = [";
            for (std::size_t k = 0; k < p.networks.size(); ++k)
                t += (k ? ", " : "") + quoted(p.networks[k].str());
            t += "]\n";
        }
    }
    return t;
}

// Peers with addresses of both families share one group with both
// prefixes; when some have only one family, a group per family keeps every
// peer's AllowedIPs as they are (a group's subnet would give each of its
// peers an address of that family). Subnets of different families never
// overlap, so the two groups coexist on one interface.
std::vector<GroupPlan> plan_groups(const ImportOptions& o, const std::vector<ImportedPeer>& peers,
                                   const std::optional<Prefix>& net4,
                                   const std::optional<Prefix>& net6,
                                   std::vector<std::string>& group_of,
                                   std::vector<std::string>& untranslated) {
    bool any4 = false, any6 = false, all_both = true;
    for (const auto& p : peers) {
        any4 = any4 || p.address;
        any6 = any6 || p.address6;
        all_both = all_both && p.address && p.address6;
    }
    group_of.assign(peers.size(), o.group);
    if (all_both || !any4 || !any6) {
        GroupPlan g{o.group, any4 ? net4 : std::nullopt, any6 ? net6 : std::nullopt};
        if (!g.subnet && !g.subnet6) g.subnet = net4;  // no peer: the interface's prefix
        return {g};
    }
    // Some peers of each family. Dual-stack peers join the IPv4 group; their
    // IPv6 address then has no group subnet to live in.
    const std::string name6 = sanitize_name(o.group.substr(0, 14) + "6");
    std::vector<GroupPlan> out{{o.group, net4, std::nullopt}, {name6, std::nullopt, net6}};
    for (std::size_t i = 0; i < peers.size(); ++i) {
        if (!peers[i].address) group_of[i] = name6;
        if (peers[i].address && peers[i].address6)
            untranslated.push_back("peer " + peers[i].name + ": address6 " +
                                   peers[i].address6->str() +
                                   " (other peers have only IPv4 or only IPv6 addresses)");
    }
    return out;
}

// A peer's AllowedIPs beyond its addresses become its `networks` (routed
// behind it: a branch office's LAN) when the profile can hold them: outside
// the interface's prefixes and of a family its group has. Others (a second
// address inside the interface's prefix, an address of a family its group
// lacks) are listed, not dropped silently.
void keep_routed_networks(Imported& in, const std::vector<GroupPlan>& groups,
                          const std::vector<std::string>& group_of,
                          const std::optional<Prefix>& net4, const std::optional<Prefix>& net6,
                          const Config& c) {
    for (std::size_t i = 0; i < in.peers.size(); ++i) {
        auto& peer = in.peers[i];
        const GroupPlan* g = nullptr;
        for (const auto& x : groups)
            if (x.name == group_of[i]) g = &x;
        int line = 0;
        for (const auto& p : c.peers)
            if (p.public_key == peer.public_key) line = p.line;
        std::vector<Prefix> kept;
        for (const auto& n : peer.networks) {
            const bool v4 = n.family() == Family::v4;
            const auto& own = v4 ? net4 : net6;
            const bool family_ok = g && (v4 ? g->subnet : g->subnet6).has_value();
            if (family_ok && !(own && own->overlaps(n)))
                kept.push_back(n);
            else
                in.untranslated.push_back("line " + std::to_string(line) + ": peer " + peer.name +
                                          ": AllowedIPs " + n.str() +
                                          " (a second address of the peer, or one of a family "
                                          "its group has no subnet of: add it by hand)");
        }
        peer.networks = std::move(kept);
    }
}

// A profile name for the uplink out of `device`.
std::vector<UplinkPlan> plan_uplinks(const HookFacts& hooks, const ImportOptions& o) {
    std::vector<UplinkPlan> out;
    for (const auto& written : hooks.masquerade_devices) {
        const std::string device = written.empty() ? o.default_device : written;
        if (device.empty()) continue;  // the hook stays listed as untranslated
        if (std::any_of(out.begin(), out.end(),
                        [&](const UplinkPlan& u) { return u.device == device; }))
            continue;
        std::string name = sanitize_name(device);
        if (name.empty() || name == o.ifname) name = "uplink" + std::to_string(out.size() + 1);
        out.push_back({name, device});
    }
    return out;
}

}  // namespace

std::string sanitize_name(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '=' || c == '+' ||
                        c == '-';
        if (out.size() == 15) break;
        if (ok)
            out += c;
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(0, 1);
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

Imported translate(const Config& c, const ImportOptions& o) {
    Imported in;
    in.private_key = c.private_key;
    HookFacts hooks = read_hooks(c.hooks);
    for (std::size_t i = 0; i < c.hooks.size(); ++i)
        if (hooks.needs_default_device[i] && o.default_device.empty()) hooks.translated[i] = false;
    interface_notes(c, hooks, in.untranslated);
    std::vector<std::string> translated;
    for (std::size_t i = 0; i < c.hooks.size(); ++i)
        if (hooks.translated[i])
            translated.push_back("line " + std::to_string(c.hooks[i].line) + ": " + c.hooks[i].key +
                                 " = " + c.hooks[i].command);
    const auto uplinks = plan_uplinks(hooks, o);
    const auto if4 = first_of(c.addresses, Family::v4);
    const auto if6 = first_of(c.addresses, Family::v6);
    const std::optional<Prefix> net4 = if4 ? std::optional(if4->network()) : std::nullopt;
    const std::optional<Prefix> net6 = if6 ? std::optional(if6->network()) : std::nullopt;

    NameRegistry names;
    for (const auto& u : uplinks) names.used.insert(u.name);
    for (std::size_t i = 0; i < c.peers.size(); ++i) {
        const auto& p = c.peers[i];
        auto name = unique_name(sanitize_name(p.comment_name), names, i);
        auto peer = import_peer(p, name, net4, net6, in.untranslated);
        if (!peer.address && !peer.address6) {
            in.untranslated.push_back("line " + std::to_string(p.line) + ": peer " + name + " (" +
                                      p.public_key.base64() +
                                      ") left out: no address inside the interface's prefixes");
            continue;
        }
        in.peers.push_back(std::move(peer));
    }
    std::vector<std::string> group_of;
    const auto groups = plan_groups(o, in.peers, net4, net6, group_of, in.untranslated);
    keep_routed_networks(in, groups, group_of, net4, net6, c);
    in.profile = profile_text(c, o, in, uplinks, groups, group_of, translated);
    return in;
}

}  // namespace vpngw::wgquick
