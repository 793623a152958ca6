#include "gateway/migrate.hpp"

#include <sys/stat.h>

#include "escape/escape.hpp"
#include "exec/apply.hpp"
#include "gateway/desired.hpp"
#include "netlink/links.hpp"
#include "netlink/routes.hpp"
#include "netlink/socket.hpp"
#include "plan/desired.hpp"
#include "store/atomic_file.hpp"
#include "store/peer_files.hpp"
#include "store/state_dir_check.hpp"
#include "wg/key_file.hpp"
#include "wgquick/config.hpp"
#include "wgquick/translate.hpp"

namespace vpngw::gateway {

namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// wg-quick names the interface after the file: /etc/wireguard/wg0.conf -> wg0.
std::string interface_name(const std::string& path) {
    auto slash = path.rfind('/');
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.size() > 5 && base.ends_with(".conf")) base.resize(base.size() - 5);
    return base;
}

Status refuse_overwrite(const std::vector<std::string>& paths, bool force) {
    if (force) return ok_status();
    for (const auto& p : paths)
        if (exists(p)) return Error{p + " exists; use --force to overwrite it"};
    return ok_status();
}

// Sets vpngw's ownership mark on an existing link (an ops::LinkMark that
// exec applies). Nothing else about the link changes; `vpngw down` will then
// remove it like one vpngw created.
Result<bool> adopt_link(const std::string& ifname) {
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return sock.error();
    auto link = netlink::find_link(*sock, ifname);
    if (!link) return link.error();
    if (!*link) return false;
    const ops::Op mark{ops::LinkMark{ifname, state::kLinkAlias, (*link)->alias}, {}};
    exec::Backends backends;          // a link mark needs no WireGuard backend
    const model::Profile no_profile;  // nor a profile: the link is named in the op
    exec::ApplyContext ctx{*sock, backends, no_profile, {}, ""};
    if (auto applied = exec::apply({mark}, ctx); !applied) return applied.error();
    return true;
}

// The device of the main table's IPv4 default route, where a hook's
// MASQUERADE without -o sent the clients' traffic; "" when there is none or
// the routes cannot be read (the import then lists the hook instead).
std::string default_route_device() {
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return "";
    auto routes = netlink::dump_routes(*sock, std::nullopt);
    if (!routes) return "";
    for (const auto& r : *routes)
        if (r.route.table == 254 && r.route.dst.len == 0 && r.route.dst.family() == Family::v4 &&
            !r.route.dev.empty())
            return r.route.dev;
    return "";
}

}  // namespace

Result<ImportReport> import_wg_quick(const ImportRequest& r) {
    // It becomes [gateway].state_dir, which the loader limits the same way.
    if (r.state_dir.empty() || r.state_dir.front() != '/' || !escape::safe_path(r.state_dir))
        return Error{"--state-dir " + escape::visible(r.state_dir) +
                     ": give an absolute path and " + escape::kSafePathRule};
    // The user named this file: a symlink to it is as good as the file.
    auto text = store::read_file_if_exists(r.config_path, store::Links::follow);
    if (!text) return text.error();
    if (!*text) return Error{"cannot read " + r.config_path + ": no such file"};
    auto config = wgquick::parse(**text, r.config_path);
    wipe(**text);
    if (!config) return config.error();

    wgquick::ImportOptions options;
    options.source = r.config_path;
    options.ifname = interface_name(r.config_path);
    options.state_dir = r.state_dir;
    options.default_device = default_route_device();
    if (wgquick::sanitize_name(options.ifname) != options.ifname)
        return Error{"cannot name an interface after \"" + r.config_path +
                     "\": rename it like wg0.conf"};
    auto imported = wgquick::translate(*config, options);

    store::StatePaths paths{r.state_dir};
    const std::string key_path = paths.key_file(options.ifname);
    std::vector<std::string> targets{r.profile_path, key_path};
    for (const auto& p : imported.peers)
        if (p.preshared_key) {
            auto psk = paths.psk_file(p.name);
            if (!psk) return psk.error();
            targets.push_back(*psk);
        }
    if (auto st = refuse_overwrite(targets, r.force); !st) return st.error();

    ImportReport report;
    report.ifname = options.ifname;
    report.peers = imported.peers.size();
    report.untranslated = imported.untranslated;
    // Keys first: a profile pointing at keys that were not written is worse
    // than keys without a profile.
    if (auto st = store::prepare_state_dir(r.state_dir); !st) return st.error();
    if (imported.private_key) {
        std::string key = imported.private_key->base64() + "\n";
        auto st = store::atomic_write_file(key_path, key, 0600);
        wipe(key);
        if (!st) return st.error();
        report.written.push_back(key_path);
    }
    for (const auto& p : imported.peers)
        if (p.preshared_key) {
            if (auto st = store::write_psk(paths, p.name, *p.preshared_key); !st) return st.error();
            report.written.push_back(*paths.psk_file(p.name));
        }
    if (auto st = store::atomic_write_file(r.profile_path, imported.profile, 0644); !st)
        return st.error();
    report.written.push_back(r.profile_path);
    if (r.adopt) {
        auto adopted = adopt_link(options.ifname);
        if (!adopted) return adopted.error();
        report.adopted = *adopted;
    }
    return report;
}

Result<SecretText> export_wg_quick(const Session& session, const ExportRequest& r) {
    const model::Profile& profile = session.profile;
    const model::Interface* iface =
        r.ifname.empty() ? (profile.interfaces.empty() ? nullptr : &profile.interfaces.front())
                         : profile.find_interface(r.ifname);
    if (!iface) return Error{"the profile has no interface \"" + r.ifname + "\""};

    // The device exactly as `up` would program it (allocated addresses included).
    const auto desired = plan::desired_state(profile);
    const state::WgDevice* device = nullptr;
    for (const auto& d : desired.wireguard)
        if (d.ifname == iface->name) device = &d;
    if (!device) return Error{"no WireGuard device planned for " + iface->name};

    wgquick::Config c;
    c.addresses = iface->addresses;
    c.listen_port = device->listen_port;
    if (device->fwmark) c.fwmark = device->fwmark;
    c.mtu = iface->mtu;
    wgquick::RenderOptions o;
    o.secrets = r.inline_secrets ? wgquick::Secrets::inline_keys : wgquick::Secrets::from_files;
    o.private_key_file = private_key_path(profile, *device);
    auto key = wg::read_key_file(o.private_key_file);
    if (!key) return key.error();
    c.private_key = *key;
    for (const auto& p : device->peers) {
        wgquick::Peer q;
        q.comment_name = p.name;
        q.public_key = p.public_key;
        q.allowed_ips = p.allowed_ips;
        if (p.keepalive) q.keepalive = static_cast<std::uint16_t>(p.keepalive);
        if (!p.preshared_key_file.empty()) {
            auto psk = wg::read_key_file(p.preshared_key_file);
            if (!psk) return psk.error();
            q.preshared_key = *psk;
            o.psk_files.emplace_back(p.public_key.base64(), p.preshared_key_file);
        }
        c.peers.push_back(std::move(q));
    }
    o.header = {"wg-quick config for " + iface->name + ", exported from " +
                    session.options.profile_path + " by `vpngw export wg-quick`.",
                "Only the WireGuard side: vpngw's firewall, NAT, forwards and policy routing",
                "have no wg-quick equivalent and are not part of it."};
    return wgquick::render(c, o);
}

}  // namespace vpngw::gateway
