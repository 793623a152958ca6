#pragma once

// The resolver's files on disk and its reload: what `vpngw dns serve` writes
// before it becomes dnsmasq, and what a peer change rewrites.

#include <string>
#include <vector>

#include "dns/render.hpp"
#include "util/result.hpp"

namespace vpngw::dns {

// Creates the runtime directory (0755, root's) and replaces dnsmasq.conf and
// the hosts file atomically (0644: dnsmasq reads them after dropping root).
Result<Hosts> write_files(const model::Profile& profile,
                          const std::vector<plan::PeerAddresses>& addresses);

// Replaces only the hosts file (a peer was added or removed).
Result<Hosts> write_hosts(const model::Profile& profile,
                          const std::vector<plan::PeerAddresses>& addresses);

// One peer's name changed (added, removed, renamed or readdressed): the
// lines naming `remove` leave the hosts file, `add` is appended. An addition
// alone is one append of whole lines (one write(2), so dnsmasq re-reading the
// file sees it whole or not at all) and reads nothing; a removal rewrites the
// file atomically. Callers hold the state lock, so no other peer change runs
// at the same time. false: the file does not exist yet (nothing written).
struct HostsEdit {
    std::string remove;  // a peer's name, or ""
    std::string add;     // host_lines of the peer's new name, or ""
};
Result<bool> edit_hosts(const std::string& path, const std::string& zone, const HostsEdit& edit);

enum class Reloaded { yes, not_running };

// SIGHUP to the dnsmasq of the pid file: it clears its cache and re-reads the
// hosts file. A pid file whose process is not dnsmasq (gone, or the number
// reused) is "not running": no other process is ever signalled.
Result<Reloaded> reload(const Runtime& runtime);

}  // namespace vpngw::dns
