#include "fleet/ha_config.hpp"

#include <set>

#include "escape/escape.hpp"

namespace vpngw::fleet {
namespace {

Error cannot_carry(const std::string& what, const std::string& value, const char* format) {
    return Error{what + " " + escape::visible(value) + " cannot be written into " + format +
                 ": use only A-Z a-z 0-9 _ . / - (and : @ + = for keepalived)"};
}

// Collects the first value a format cannot carry.
class Words {
  public:
    explicit Words(const char* format) : format_(format) {}

    std::string keepalived(const std::string& what, const std::string& value) {
        auto w = escape::keepalived_word(value);
        if (!w && !error_) error_ = cannot_carry(what, value, format_);
        return w.value_or("");
    }
    std::string conntrackd(const std::string& what, const std::string& value) {
        auto w = escape::conntrackd_word(value);
        if (!w && !error_) error_ = cannot_carry(what, value, format_);
        return w.value_or("");
    }
    std::string shell(const std::string& what, const std::string& value) {
        auto w = escape::shell_word(value);
        if (!w && !error_) error_ = cannot_carry(what, value, format_);
        return w.value_or("");
    }
    const std::optional<Error>& error() const { return error_; }

  private:
    const char* format_;
    std::optional<Error> error_;
};

Result<const model::Cluster*> cluster_with_vrrp(const model::Profile& profile) {
    if (!profile.cluster || !profile.cluster->vrrp)
        return Error{"the profile has no [cluster.vrrp]: there is no virtual address to hold",
                     Location{profile.source}};
    return &*profile.cluster;
}

}  // namespace

Result<std::string> render_keepalived(const model::Profile& profile, const HaPaths& paths) {
    auto cluster = cluster_with_vrrp(profile);
    if (!cluster) return cluster.error();
    const model::Vrrp& vrrp = *(*cluster)->vrrp;
    const model::Uplink* uplink = profile.find_uplink(vrrp.uplink);
    if (!uplink) return Error{"no uplink \"" + vrrp.uplink + "\"", Location{profile.source}};

    Words w("keepalived.conf");
    const std::string node = w.keepalived("node name", (*cluster)->node);
    const std::string device = w.keepalived("uplink device", uplink->device);
    const std::string vpngw = w.keepalived("vpngw path", paths.vpngw);
    const std::string prof = w.keepalived("profile path", paths.profile);
    const std::string notify = w.keepalived("notify script path", paths.notify_script);

    std::string out;
    out += "# Written by vpngw from the [cluster] of " + escape::visible(profile.source) +
           "; rendered again by `vpngw cluster render`, do not edit.\n";
    out += "global_defs {\n    router_id " + node +
           "\n    enable_script_security\n    script_user root\n}\n\n";
    // `vpngw cluster health` exits non-zero when this member cannot serve
    // (its WireGuard interface or uplink is gone, the uplink probe fails);
    // two failures in a row put the instance in FAULT and the address moves.
    // It runs every advertisement interval, so a failing member is noticed
    // within about two intervals plus the probe's timeout.
    const model::Uplink& up = *uplink;
    const int probe_timeout = up.health ? up.health->timeout : 1;
    out += "vrrp_script vpngw_health {\n    script \"" + vpngw + " cluster health " + prof + "\"\n";
    out += "    interval " + std::to_string(vrrp.interval) + "\n    timeout " +
           std::to_string(probe_timeout + 2) + "\n    fall 2\n    rise 2\n}\n\n";
    out += "vrrp_instance vpngw {\n";
    // Every member starts as backup; the highest priority is elected and
    // keeps the address until it fails (nopreempt: no second failover when
    // it comes back).
    out += "    state BACKUP\n    nopreempt\n";
    out += "    interface " + device + "\n";
    out += "    virtual_router_id " + std::to_string(vrrp.router_id) + "\n";
    out += "    priority " + std::to_string(vrrp.priority) + "\n";
    out += "    advert_int " + std::to_string(vrrp.interval) + "\n";
    if (!vrrp.unicast_peers.empty()) {
        out += "    unicast_peer {\n";
        for (const auto& p : vrrp.unicast_peers)
            out += "        " + w.keepalived("unicast peer", p.str()) + "\n";
        out += "    }\n";
    }
    out += "    virtual_ipaddress {\n        " +
           w.keepalived("virtual address", vrrp.address.str()) + " dev " + device + "\n    }\n";
    // While MASTER, what WireGuard itself sends (sport = a listen port)
    // leaves from the virtual address: a handshake the new master starts
    // (docs/fleet.md, "Speaking first on failover") then comes from the
    // address the client dialled, which the client's NAT lets through. A
    // route of its own table (after vpngw's rules, 5000-5999, so main's
    // connected routes and the tunnel's marked traffic are as before).
    const auto& gateway = vrrp.address.family() == Family::v4 ? up.gateway : up.gateway6;
    if (gateway) {
        const std::string vip = w.keepalived("virtual address", vrrp.address.addr.str());
        const std::string table = std::to_string(kWireGuardSourceTable);
        out += "    virtual_routes {\n        src " + vip + " to " +
               (vrrp.address.family() == Family::v4 ? "0.0.0.0/0" : "::/0") + " via " +
               w.keepalived("uplink gateway", gateway->str()) + " dev " + device + " table " +
               table + "\n    }\n";
        std::set<std::uint16_t> ports;
        for (const auto& iface : profile.interfaces) ports.insert(iface.listen_port);
        out += "    virtual_rules {\n";
        for (auto port : ports)
            out += std::string("        from all ipproto udp sport ") + std::to_string(port) + "-" +
                   std::to_string(port) + " table " + table + " priority " +
                   std::to_string(kWireGuardSourceRulePriority) + "\n";
        out += "    }\n";
    }
    out += "    track_script {\n        vpngw_health\n    }\n";
    out += "    notify " + notify + "\n";
    out += "}\n";
    if (w.error()) return *w.error();
    return out;
}

Result<std::string> render_conntrackd(const model::Profile& profile, const HaPaths& paths) {
    auto cluster = cluster_with_vrrp(profile);
    if (!cluster) return cluster.error();
    if (!(*cluster)->sync)
        return Error{"the profile has no [cluster.sync]: conntrackd needs the sync link",
                     Location{profile.source}};
    const model::SyncLink& sync = *(*cluster)->sync;
    const bool v4 = sync.address.family == Family::v4;
    const std::string family = v4 ? "IPv4" : "IPv6";

    Words w("conntrackd.conf");
    const std::string device = w.conntrackd("sync device", sync.device);
    const std::string lock = w.conntrackd("lock file", paths.lock_file);
    const std::string socket = w.conntrackd("control socket", paths.control_socket);

    std::string out;
    out += "# Written by vpngw from the [cluster] of " + escape::visible(profile.source) +
           "; rendered again by `vpngw cluster render`, do not edit.\n";
    out += "Sync {\n    Mode FTFW {\n        DisableExternalCache Off\n";
    out += "        CommitTimeout 1800\n        PurgeTimeout 5\n    }\n";
    out += "    UDP {\n";
    out += "        " + family + "_address " + sync.address.str() + "\n";
    out += "        " + family + "_Destination_Address " + sync.peer.str() + "\n";
    out += "        Port " + std::to_string(model::kConntrackdPort) + "\n        Interface " +
           device + "\n";
    out += "        SndSocketBuffer 1249280\n        RcvSocketBuffer 1249280\n";
    out += "        Checksum on\n    }\n}\n";
    out += "General {\n    Nice -20\n    HashSize 32768\n    HashLimit 131072\n";
    out += "    LogFile off\n    Syslog on\n";
    out += "    LockFile " + lock + "\n";
    out += "    UNIX {\n        Path " + socket + "\n        Backlog 20\n    }\n";
    out += "    NetlinkBufferSize 2097152\n    NetlinkBufferSizeMaxGrowth 8388608\n";
    // The sync link's own traffic and loopback are not state worth syncing.
    out +=
        "    Filter From Userspace {\n        Protocol Accept {\n            TCP\n"
        "            UDP\n            ICMP\n        }\n";
    out +=
        "        Address Ignore {\n            IPv4_address 127.0.0.1\n"
        "            IPv6_address ::1\n";
    out += "            " + family + "_address " + sync.address.str() + "\n";
    out += "            " + family + "_address " + sync.peer.str() + "\n";
    out += "        }\n    }\n}\n";
    if (w.error()) return *w.error();
    return out;
}

Result<std::string> render_notify_script(const HaPaths& paths, bool with_conntrackd) {
    Words w("the notify script");
    const std::string ctl = w.shell("conntrackd path", paths.conntrackd) + " -C " +
                            w.shell("conntrackd.conf path", paths.conntrackd_conf);
    const std::string state = w.shell("VRRP state file", paths.vrrp_state_file);
    const std::string state_tmp = w.shell("VRRP state file", paths.vrrp_state_file + ".tmp");
    if (w.error()) return *w.error();
    std::string out =
        "#!/bin/sh\n"
        "# Written by vpngw (`vpngw cluster render`): keepalived calls it with\n"
        "# TYPE NAME STATE PRIORITY when this member's VRRP state changes.\n"
        "# The state file's format: docs/fleet.md, \"VRRP state file\".\n"
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
        "case \"$3\" in\n"
        "MASTER|BACKUP|FAULT|STOP) state=$3 ;;\n"
        "*) state=UNKNOWN ;;\n"
        "esac\n"
        "case \"$2\" in\n"
        "*[!A-Za-z0-9_.-]*|'') name=vpngw ;;\n"
        "*) name=$2 ;;\n"
        "esac\n"
        "printf '# vpngw vrrp v1\\n%s\\t%s\\t%s\\n' \"$state\" \"$(date +%s)\" \"$name\" >" +
        state_tmp + " && mv -f " + state_tmp + " " + state + "\n";
    if (with_conntrackd)
        out +=
            "case \"$state\" in\n"
            "MASTER)\n"
            "    " +
            ctl +
            " -c  # commit the connections synced from the old master\n"
            "    " +
            ctl +
            " -f  # flush the caches\n"
            "    " +
            ctl +
            " -R  # resync with the kernel's table\n"
            "    " +
            ctl +
            " -B  # send a bulk update to the backup\n"
            "    ;;\n"
            "BACKUP|FAULT)\n"
            "    " +
            ctl +
            " -t  # shorten the kernel's timers of connections we no longer serve\n"
            "    " +
            ctl +
            " -n  # ask the master for its connections\n"
            "    ;;\n"
            "esac\n";
    return out + "exit 0\n";
}

}  // namespace vpngw::fleet
