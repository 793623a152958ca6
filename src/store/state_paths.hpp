#pragma once

// The layout of the state directory ([gateway].state_dir, /var/lib/vpngw by
// default). Every directory is 0700 and every file 0600, whatever the umask:
//
//   <state_dir>/                0700
//     lock                      0600  flock(2)ed by the running vpngw; holds its pid
//     peers.tsv                 0600  peers added with `vpngw peer add` (no secrets),
//                                     one a line (store/peers_text.hpp); replaces the
//                                     peers.toml of earlier versions, read once to migrate
//     peers.journal             0600  peer adds/removes since peers.tsv was written, one
//                                     fsynced line each (store/peers_journal.hpp);
//                                     folded into peers.tsv when it grows and by `up`
//     peers.index/              0700  name, key and address-bitmap lookups for `peer
//                                     add/remove`, rebuilt whenever its tag does not
//                                     match peers.tsv + peers.journal
//                                     (store/peers_index.hpp)
//     clients/                  0700
//       <name>.conf             0600  the client's wg-quick config; holds the client's
//                                     private key when vpngw generated it
//     psk/                      0700
//       <name>.psk              0600  preshared key: base64 and "\n", the format
//                                     `wg set ... preshared-key FILE` reads
//
// Files are replaced atomically (temp file, fsync, rename, fsync dir), so a
// crash leaves the old or the new version, never a mix; a crash can leave a
// stale ".<file>.tmp.*" next to it, which nothing reads.

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::store {

// Peer names follow the profile's name rule ([A-Za-z0-9_.=+-]{1,15}, not
// starting with '-' or '.'), which also keeps them safe as file names.
bool is_valid_name(std::string_view name);

struct StatePaths {
    // A WireGuard interface's private key file when the profile names none.
    static constexpr std::string_view kKeySuffix = ".key";

    std::string dir;

    std::string lock_file() const { return dir + "/lock"; }
    std::string peers_file() const { return dir + "/peers.tsv"; }
    std::string peers_journal_file() const { return dir + "/peers.journal"; }
    std::string legacy_peers_file() const { return dir + "/peers.toml"; }
    std::string clients_dir() const { return dir + "/clients"; }
    std::string psk_dir() const { return dir + "/psk"; }

    // The apply record (src/txn/).
    std::string apply_progress_file() const { return dir + "/apply-in-progress"; }
    std::string legacy_apply_progress_file() const { return dir + "/journal"; }
    std::string last_apply_file() const { return dir + "/last-apply"; }
    std::string sysctl_baseline_file() const { return dir + "/sysctl-baseline"; }
    std::string revert_log_file() const { return dir + "/revert.log"; }
    std::string pending_dir() const { return dir + "/pending"; }
    std::string pending_record_file() const { return pending_dir() + "/record"; }
    std::string pending_inverse_file() const { return pending_dir() + "/inverse.toml"; }
    std::string pending_files_dir() const { return pending_dir() + "/files"; }
    std::string pending_files_list() const { return pending_files_dir() + "/.list"; }
    // Errors when the name could escape its directory or is not a valid name.
    Result<std::string> client_config_file(std::string_view peer_name) const;
    Result<std::string> psk_file(std::string_view peer_name) const;
};

}  // namespace vpngw::store
