#include "wgquick/config.hpp"

namespace vpngw::wgquick {

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string prefixes(const std::vector<Prefix>& list) {
    std::vector<std::string> items;
    for (const auto& p : list) items.push_back(p.str());
    return join(items);
}

void line(SecretText& out, const std::string& key, const std::string& value) {
    out.append(key);
    out.append(" = ");
    out.append(value);
    out.append('\n');
}

}  // namespace

SecretText render(const Config& c, const RenderOptions& o) {
    SecretText out;
    for (const auto& h : o.header) {
        out.append(h.empty() ? "#" : "# " + h);
        out.append('\n');
    }
    if (!o.header.empty()) out.append('\n');
    out.append("[Interface]\n");
    if (!c.addresses.empty()) line(out, "Address", prefixes(c.addresses));
    if (c.listen_port) line(out, "ListenPort", std::to_string(*c.listen_port));
    if (c.fwmark && *c.fwmark != 0) line(out, "FwMark", std::to_string(*c.fwmark));
    if (c.mtu) line(out, "MTU", std::to_string(*c.mtu));
    if (!c.dns.empty()) line(out, "DNS", join(c.dns));
    if (c.table) line(out, "Table", *c.table);
    if (c.save_config) line(out, "SaveConfig", *c.save_config ? "true" : "false");
    if (c.private_key) {
        if (o.secrets == Secrets::inline_keys) {
            std::string key = c.private_key->base64();
            line(out, "PrivateKey", key);
            wipe(key);
        } else {
            line(out, "PostUp", "wg set %i private-key " + o.private_key_file);
        }
    }
    // wg-quick has no PresharedKeyFile, but a PostUp `wg set` does the same
    // once the interface exists.
    if (o.secrets == Secrets::from_files)
        for (const auto& [pub, file] : o.psk_files)
            line(out, "PostUp", "wg set %i peer " + pub + " preshared-key " + file);
    for (const auto& h : c.hooks) line(out, h.key, h.command);
    for (const auto& p : c.peers) {
        out.append('\n');
        if (!p.comment_name.empty()) out.append("# " + p.comment_name + "\n");
        out.append("[Peer]\n");
        line(out, "PublicKey", p.public_key.base64());
        if (p.preshared_key) {
            if (o.secrets == Secrets::inline_keys) {
                std::string key = p.preshared_key->base64();
                line(out, "PresharedKey", key);
                wipe(key);
            }
        }
        if (!p.allowed_ips.empty()) line(out, "AllowedIPs", prefixes(p.allowed_ips));
        if (p.endpoint) line(out, "Endpoint", p.endpoint->str());
        if (p.keepalive && *p.keepalive != 0)
            line(out, "PersistentKeepalive", std::to_string(*p.keepalive));
    }
    return out;
}

}  // namespace vpngw::wgquick
