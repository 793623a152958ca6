#include "escape/escape.hpp"
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

// A file path as one word of a hook: wg-quick cuts a line at '#', trims it,
// replaces "%i" and hands the rest to bash's eval, and the $'\xHH' form
// survives all four. A path ends at its first NUL for the kernel too.
std::string hook_word(const std::string& path) {
    return *escape::bash_hex_word(std::string_view(path).substr(0, path.find('\0')));
}

// A comment line: one line whatever the text holds.
std::string comment(const std::string& text) {
    return text.empty() ? "#" : "# " + escape::visible(text);
}

}  // namespace

SecretText render(const Config& c, const RenderOptions& o) {
    SecretText out;
    for (const auto& h : o.header) {
        out.append(comment(h));
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
            line(out, "PostUp", "wg set %i private-key " + hook_word(o.private_key_file));
        }
    }
    // wg-quick has no PresharedKeyFile, but a PostUp `wg set` does the same
    // once the interface exists.
    if (o.secrets == Secrets::from_files)
        for (const auto& [pub, file] : o.psk_files)
            line(out, "PostUp",
                 "wg set %i peer " + hook_word(pub) + " preshared-key " + hook_word(file));
    for (const auto& h : c.hooks) line(out, h.key, h.command);
    for (const auto& p : c.peers) {
        out.append('\n');
        if (!p.comment_name.empty()) out.append(comment(p.comment_name) + "\n");
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
