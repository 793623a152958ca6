#pragma once

// The registry on etcd (etcd_layout.hpp has the keys): the same promises as
// SQLite's (registry.hpp), kept across gateways. An add reads the group's
// addresses, lets the allocator choose, and commits in one transaction that
// requires the name, the public key and each chosen address to be unclaimed;
// when another gateway claimed the address first, the add reads again and
// chooses anew (bounded), so concurrent adds never collide.

#include <memory>

#include "fleet/etcd_kv.hpp"
#include "model/cluster.hpp"
#include "registry/registry.hpp"

namespace vpngw::fleet {

// How reads are answered: `linearizable` (etcd's default) asks the leader,
// so it fails without quorum; `serializable` reads the answering member's
// own copy, so a gateway cut off from the majority still sees the peers it
// serves (`vpngw status`, keepalived's health check) while writes are refused.
enum class Reads { linearizable, serializable };

// `node`: this fleet member; its unsettled marks are kept apart from other
// members' (etcd_layout.hpp), so no gateway finishes another's change.
std::unique_ptr<registry::Registry> etcd_registry(std::unique_ptr<Transport> transport,
                                                  std::string prefix,
                                                  Reads reads = Reads::linearizable,
                                                  std::string node = "");

// The registry of a profile's [cluster], over HTTPS with its certificates.
std::unique_ptr<registry::Registry> open_etcd_registry(const model::EtcdSettings& settings,
                                                       Reads reads = Reads::linearizable,
                                                       std::string node = "");

}  // namespace vpngw::fleet
