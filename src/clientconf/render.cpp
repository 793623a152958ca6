#include <string>

#include "clientconf/client_config.hpp"

namespace vpngw::clientconf {

namespace {

template <class T, class F>
std::string join(const std::vector<T>& items, F&& str) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += str(item);
    }
    return out;
}

// Appends "Name = <key>" and wipes the temporary base64 text of the key.
void append_key_line(SecretText& out, std::string_view name, const SecretKey& key) {
    std::string b64 = key.base64();
    out.append(name);
    out.append(" = ");
    out.append(b64);
    out.append('\n');
    wipe(b64);
}

void append_line(SecretText& out, std::string_view name, const std::string& value) {
    out.append(name);
    out.append(" = ");
    out.append(value);
    out.append('\n');
}

// The client's own addresses as host prefixes, checked against the group.
Result<std::vector<Prefix>> client_addresses(const ClientConfigInput& in) {
    std::vector<Prefix> out;
    auto take = [&](const std::optional<IpAddress>& a, Family family,
                    const std::optional<Prefix>& subnet, const char* field) -> Status {
        if (!a) return ok_status();
        if (a->family != family)
            return Error{"peer " + in.peer_name + ": " + field + " " + a->str() +
                         " is of the wrong address family"};
        if (!subnet)
            return Error{"peer " + in.peer_name + ": group " + in.group.name + " has no " +
                         (family == Family::v4 ? "subnet" : "subnet6") + " for " + a->str()};
        out.push_back(Prefix{*a, a->bits()});
        return ok_status();
    };
    if (auto s = take(in.address, Family::v4, in.group.subnet, "address"); !s) return s.error();
    if (auto s = take(in.address6, Family::v6, in.group.subnet6, "address6"); !s) return s.error();
    if (out.empty()) return Error{"peer " + in.peer_name + " has no tunnel address"};
    return out;
}

// Whether one of the group's resolvers is the gateway's own interface address.
bool asks_gateway(const model::Group& group, const model::Interface& iface) {
    for (const auto& server : group.dns)
        for (const auto& a : iface.addresses)
            if (a.addr == server) return true;
    return false;
}

}  // namespace

Result<SecretText> render_client_config(const ClientConfigInput& in,
                                        const model::Profile& profile) {
    auto addresses = client_addresses(in);
    if (!addresses) return addresses.error();
    std::vector<IpAddress> own;
    for (const auto& a : *addresses) own.push_back(a.addr);
    auto allowed = client_allowed_ips(in.group, in.interface, profile, in.peer_name, own);
    if (!allowed) return allowed.error();
    auto prefix_str = [](const Prefix& p) { return p.str(); };

    SecretText out;
    out.append("[Interface]\n");
    if (in.private_key)
        append_key_line(out, "PrivateKey", *in.private_key);
    else
        out.append("# PrivateKey = <your private key>\n");
    append_line(out, "Address", join(*addresses, prefix_str));
    if (!in.group.dns.empty()) {
        auto servers = join(in.group.dns, [](const IpAddress& a) { return a.str(); });
        // With [dns] the gateway answers for its zone: wg-quick makes a name
        // in DNS= the search domain, so `ssh alice-laptop` works.
        if (profile.dns && asks_gateway(in.group, in.interface))
            servers += ", " + profile.dns->zone;
        append_line(out, "DNS", servers);
    }
    append_line(out, "MTU", std::to_string(in.interface.mtu));

    out.append("\n[Peer]\n");
    append_line(out, "PublicKey", in.server_public_key.base64());
    if (in.preshared_key) append_key_line(out, "PresharedKey", *in.preshared_key);
    append_line(out, "Endpoint", in.endpoint.str());
    append_line(out, "AllowedIPs", join(*allowed, prefix_str));
    if (in.group.keepalive > 0)
        append_line(out, "PersistentKeepalive", std::to_string(in.group.keepalive));
    return out;
}

}  // namespace vpngw::clientconf
