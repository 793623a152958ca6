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

// A peer's tunnel addresses: its single-host AllowedIPs inside the
// interface's prefixes, the first of each family its address, the others
// extra_addresses. The rest are kept as networks routed behind it.
ImportedPeer import_peer(const Peer& p, const std::string& name, const std::optional<Prefix>& net4,
                         const std::optional<Prefix>& net6,
                         std::vector<std::string>& untranslated) {
    ImportedPeer out{name, p.public_key,    std::nullopt, std::nullopt,
                     {},   p.preshared_key, p.keepalive,  {}};
    for (const auto& a : p.allowed_ips) {
        const bool v4 = a.family() == Family::v4;
        const auto& net = v4 ? net4 : net6;
        if (a.len != a.addr.bits() || !net || !net->contains(a.addr)) {
            out.networks.push_back(a.network());
            continue;
        }
        auto& first = v4 ? out.address : out.address6;
        if (!first)
            first = a.addr;
        else if (a.addr != *first)
            out.extra_addresses.push_back(a.addr);
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
                         const std::vector<UplinkPlan>& uplinks, const GroupPlan& g,
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

    t += "\n[[group]]\nname = " + quoted(g.name) + "\ninterface = " + quoted(o.ifname) + "\n";
    if (g.subnet) t += "subnet = " + quoted(g.subnet->str()) + "\n";
    if (g.subnet6) t += "subnet6 = " + quoted(g.subnet6->str()) + "\n";
    t += "# wg-quick set no limits: clients may reach anything, as before.\nallow = "
         "[\"any\"]\n";

    t += "\n[firewall]\n# wg-quick left SSH open to all: narrow `allow` to your own addresses.\n";
    t += "management = { port = 22 }\n";

    for (std::size_t i = 0; i < in.peers.size(); ++i) {
        const auto& p = in.peers[i];
        t += "\n[[peer]]\nname = " + quoted(p.name) + "\ngroup = " + quoted(g.name) + "\n";
        t += "public_key = " + quoted(p.public_key.base64()) + "\n";
        // "none": wg-quick gave the peer no address of the family.
        if (g.subnet) t += "address = " + quoted(p.address ? p.address->str() : "none") + "\n";
        if (g.subnet6) t += "address6 = " + quoted(p.address6 ? p.address6->str() : "none") + "\n";
        if (!p.extra_addresses.empty()) {
            t += "extra_addresses = [";
            for (std::size_t k = 0; k < p.extra_addresses.size(); ++k)
                t += (k ? ", " : "") + quoted(p.extra_addresses[k].str());
            t += "]\n";
        }
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

// One group with the interface's prefix of each family some peer has an
// address of; a peer without an address of a family the group has says
// "none" (profile_text), so nobody is handed an address wg-quick never gave
// them and nobody loses one.
GroupPlan plan_group(const ImportOptions& o, const std::vector<ImportedPeer>& peers,
                     const std::optional<Prefix>& net4, const std::optional<Prefix>& net6) {
    bool any4 = false, any6 = false;
    for (const auto& p : peers) {
        any4 = any4 || p.address;
        any6 = any6 || p.address6;
    }
    GroupPlan g{o.group, any4 ? net4 : std::nullopt, any6 ? net6 : std::nullopt};
    if (!g.subnet && !g.subnet6) g.subnet = net4;  // no peer: the interface's prefix
    return g;
}

// A peer's AllowedIPs beyond its addresses become its `networks` (routed
// behind it: a branch office's LAN) when the profile can hold them: outside
// the interface's prefixes and of a family its group has. Others (a prefix
// inside the interface's, a network of a family no peer has an address of)
// are listed, not dropped silently.
void keep_routed_networks(Imported& in, const GroupPlan& group, const std::optional<Prefix>& net4,
                          const std::optional<Prefix>& net6, const Config& c) {
    for (auto& peer : in.peers) {
        int line = 0;
        for (const auto& p : c.peers)
            if (p.public_key == peer.public_key) line = p.line;
        std::vector<Prefix> kept;
        for (const auto& n : peer.networks) {
            const bool v4 = n.family() == Family::v4;
            const auto& own = v4 ? net4 : net6;
            const bool family_ok = (v4 ? group.subnet : group.subnet6).has_value();
            if (family_ok && !(own && own->overlaps(n)))
                kept.push_back(n);
            else
                in.untranslated.push_back("line " + std::to_string(line) + ": peer " + peer.name +
                                          ": AllowedIPs " + n.str() +
                                          " (inside the interface's prefix but not one host, or "
                                          "of a family no peer has an address of: add it by "
                                          "hand)");
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
    const auto group = plan_group(o, in.peers, net4, net6);
    keep_routed_networks(in, group, net4, net6, c);
    in.profile = profile_text(c, o, in, uplinks, group, translated);
    return in;
}

}  // namespace vpngw::wgquick
