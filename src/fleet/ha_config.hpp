#pragma once

// keepalived's and conntrackd's configurations, rendered from a profile's
// [cluster] (pure: text out, nothing written). keepalived holds the virtual
// address on the uplink's device (VRRP), tracks the gateway's health with
// `vpngw cluster health` (fleet/ha_health.hpp) and runs the notify script on
// each state change, which records the state (docs/fleet.md, "VRRP state
// file") and tells conntrackd; while MASTER it also routes what WireGuard
// sends from the virtual address (kWireGuardSourceTable below); conntrackd syncs the connection
// table over the sync link (FTFW), so an established connection survives a failover. Every string
// goes through escape::keepalived_word / conntrackd_word / shell_word;
// a value a format cannot carry is an error naming it, never written.

#include <string>

#include "model/profile.hpp"
#include "model/vrrp_table.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

// The table and rule priority keepalived routes WireGuard's packets by
// while MASTER (model/vrrp_table.hpp: profile validation reserves the table).
inline constexpr std::uint32_t kWireGuardSourceTable = model::kVrrpSourceTable;
inline constexpr std::uint32_t kWireGuardSourceRulePriority = model::kVrrpSourceRulePriority;

// Where things are on the machine; the defaults are the Debian package's.
// Tests running several members in one mount namespace change them.
struct HaPaths {
    std::string vpngw = "/usr/sbin/vpngw";
    std::string profile;  // the profile the track script checks
    std::string conntrackd = "/usr/sbin/conntrackd";
    std::string conntrackd_conf = "/etc/vpngw/fleet/conntrackd.conf";
    std::string notify_script = "/etc/vpngw/fleet/notify.sh";
    std::string lock_file = "/run/vpngw-conntrackd.lock";
    std::string control_socket = "/run/vpngw-conntrackd.ctl";
    std::string vrrp_state_file = "/var/lib/vpngw/vrrp.state";  // <state_dir>/vrrp.state
};

Result<std::string> render_keepalived(const model::Profile& profile, const HaPaths& paths);
Result<std::string> render_conntrackd(const model::Profile& profile, const HaPaths& paths);
// keepalived calls it with TYPE NAME STATE PRIORITY: it writes the state
// file, then (with_conntrackd) on MASTER conntrackd commits the synced
// connections to the kernel, on BACKUP/FAULT it takes the master's again
// (the primary-backup scheme of conntrackd's manual).
Result<std::string> render_notify_script(const HaPaths& paths, bool with_conntrackd);

}  // namespace vpngw::fleet
