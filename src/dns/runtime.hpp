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

enum class Reloaded { yes, not_running };

// SIGHUP to the dnsmasq of the pid file: it clears its cache and re-reads the
// hosts file. A pid file whose process is not dnsmasq (gone, or the number
// reused) is "not running": no other process is ever signalled.
Result<Reloaded> reload(const Runtime& runtime);

}  // namespace vpngw::dns
