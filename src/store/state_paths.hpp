#pragma once

// The layout of the state directory ([gateway].state_dir, /var/lib/vpngw by
// default): every file vpngw keeps there is a member of StatePaths, and no
// other code builds a path inside it. Every directory is 0700 and every file
// 0600, whatever the umask.
//
//   <state_dir>/
//   ├── lock                    flock(2)ed by the running vpngw; holds its pid
//   │                           (store/state_lock.hpp)
//   │
//   │   peers added with `vpngw peer add` (registry/, store/peer_files.hpp) ─────
//   ├── peers.db                the SQLite peer registry (registry/), WAL
//   │                           (peers.db-wal, -shm): peers, their addresses
//   │                           and lifecycle fields, the audit trail
//   ├── peers.tsv.migrated      the files of earlier releases (peers.tsv,
//   ├── peers.journal.migrated  peers.journal, peers.toml), renamed once the
//   ├── peers.toml.migrated     first open migrated them into peers.db
//   ├── clients/<name>.conf     the client's wg-quick config; holds the
//   │                           client's private key when vpngw generated it
//   ├── psk/<name>.psk          preshared key: base64 and "\n", the format
//   │                           `wg set ... preshared-key FILE` reads
//   │
//   │   what the kernel side keeps (exec/, health/) ────────────────────────────
//   ├── <ifname>.key            an interface's private key when the profile
//   │                           names no private_key_file; written by `up`
//   ├── nft-listing.sha256      fingerprint of `table inet vpngw` as vpngw last
//   │                           applied it (exec/nft_listing.hpp)
//   ├── nft-shortcut            the nftables generation after vpngw's last
//   │                           commit (exec/nft_shortcut.hpp)
//   ├── noop-proof              what the last `up` planned, fingerprinted, so
//   │                           a no-op `up` or `status` proves nothing changed
//   │                           without planning (gateway/noop_proof.hpp)
//   ├── health.tsv              the uplinks' up/down state of `vpngw monitor`
//   │                           (health/state_file.hpp)
//   ├── api.db                  `vpngw serve`: API tokens and one-time peer
//   │                           links, as hashes only (api/store.hpp)
//   │
//   │   the apply record (txn/) ────────────────────────────────────────────────
//   ├── apply-in-progress       the apply running now; left behind only by a
//   │                           crash (txn/apply_progress.hpp); read under its
//   │                           old name `journal` too, and renamed
//   ├── sysctl-baseline         sysctl values before vpngw first changed them;
//   │                           `down` restores them (txn/sysctl_baseline.hpp)
//   ├── last-apply              when the last `up` ended, how long it took,
//   │                           its result (txn/last_apply.hpp)
//   ├── revert.log              what the revert timer or `vpngw rollback` undid
//   └── pending/                `up --confirm` waiting for `vpngw confirm`
//       │                       (txn/pending.hpp)
//       ├── record              what is pending; written last, removed first
//       ├── inverse.toml        for each planned op, the op that undoes it
//       └── files/              the top-level files above as they were
//           │                   before the apply (keys included)
//           └── .list           their names; others are removed on revert
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
    // Ends the name of a WireGuard interface's key file (key_file()).
    static constexpr std::string_view kKeySuffix = ".key";

    std::string dir;

    std::string lock_file() const { return in("lock"); }
    // The fleet registry revision this member's kernel has applied, and when
    // (gateway/cluster_applied.hpp; `vpngw cluster follow`).
    std::string cluster_applied_file() const { return in("cluster-applied"); }
    // keepalived's VRRP state of this member, written by its notify script
    // ("MASTER 1733..."; docs/fleet.md); `vpngw status` shows it.
    std::string vrrp_state_file() const { return in("vrrp.state"); }

    // The SQLite peer registry (registry/sqlite_registry.hpp) and the private
    // file a first open builds it in from the legacy files below.
    std::string registry_file() const { return in("peers.db"); }
    std::string registry_build_file(long pid) const {
        return in(".peers.db.new." + std::to_string(pid));
    }
    // The peer files of earlier releases, read once to migrate them.
    std::string peers_file() const { return in("peers.tsv"); }
    std::string legacy_peers_file() const { return in("peers.toml"); }
    std::string peers_journal_file() const { return in("peers.journal"); }
    std::string clients_dir() const { return in("clients"); }
    std::string psk_dir() const { return in("psk"); }
    // Errors when the name could escape its directory or is not a valid name.
    Result<std::string> client_config_file(std::string_view peer_name) const;
    Result<std::string> psk_file(std::string_view peer_name) const;

    // `ifname` is a checked interface name (profile/, netlink::check_ifname).
    std::string key_file(std::string_view ifname) const;
    std::string nft_listing_file() const { return in("nft-listing.sha256"); }
    std::string nft_shortcut_file() const { return in("nft-shortcut"); }
    std::string noop_proof_file() const { return in("noop-proof"); }
    std::string health_file() const { return in("health.tsv"); }
    // `vpngw serve`: API tokens and one-time peer links, hashed (api/store.hpp).
    std::string api_db_file() const { return in("api.db"); }

    std::string apply_progress_file() const { return in("apply-in-progress"); }
    std::string legacy_apply_progress_file() const { return in("journal"); }
    std::string sysctl_baseline_file() const { return in("sysctl-baseline"); }
    std::string last_apply_file() const { return in("last-apply"); }
    std::string revert_log_file() const { return in("revert.log"); }
    std::string pending_dir() const { return in("pending"); }
    std::string pending_record_file() const { return pending_dir() + "/record"; }
    std::string pending_inverse_file() const { return pending_dir() + "/inverse.toml"; }
    std::string pending_files_dir() const { return pending_dir() + "/files"; }
    std::string pending_files_list() const { return pending_files_dir() + "/.list"; }

  private:
    // `dir`/`name`, without doubling a trailing slash of `dir` ("/" stays "/").
    std::string in(std::string_view name) const;
};

}  // namespace vpngw::store
