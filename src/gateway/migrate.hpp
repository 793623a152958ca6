#pragma once

// `vpngw import wg-quick` and `vpngw export wg-quick`: moving a gateway from
// wg-quick to vpngw, and back for users who leave.

#include <string>
#include <vector>

#include "gateway/session.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::gateway {

struct ImportRequest {
    std::string config_path;   // /etc/wireguard/wg0.conf
    std::string profile_path;  // where the profile goes
    std::string state_dir;     // where the keys go
    bool force = false;        // overwrite an existing profile / key files
    // Mark the running interface (wg-quick's) as vpngw's, so `plan` and `up`
    // manage it instead of refusing a link vpngw did not create.
    bool adopt = false;
};

struct ImportReport {
    std::string ifname;
    std::size_t peers = 0;
    std::vector<std::string> untranslated;  // also written as comments in the profile
    std::vector<std::string> written;       // files created, for the user
    bool adopted = false;                   // the running interface is now vpngw's
};

// Writes the profile (0644, no secrets), the interface's private key
// (<state_dir>/<ifname>.key) and each preshared key (<state_dir>/psk/) 0600.
// Refuses to overwrite any of them without `force`.
Result<ImportReport> import_wg_quick(const ImportRequest& request);

struct ExportRequest {
    std::string ifname;  // empty: the profile's first interface
    // true: PrivateKey/PresharedKey inline (for a 0600 file); false: the
    // config loads them from vpngw's key files, so it holds no key material.
    bool inline_secrets = false;
};

// The server side of one interface in wg-quick format: the WireGuard device
// exactly as `vpngw up` programs it (peers, allowed-ips, keepalives, keys)
// plus its addresses and MTU. Firewall, NAT and routing are not expressible
// there; a header comment says so.
Result<SecretText> export_wg_quick(const Session& session, const ExportRequest& request);

}  // namespace vpngw::gateway
