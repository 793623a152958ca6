#pragma once

// Where the fleet keeps the registry in etcd, all under the profile's
// [cluster] prefix P (default "/vpngw/"):
//   P peers/NAME      the peer, as JSON (encode_peer; never a private key;
//                     its PSK only sealed with the cluster secret, psk_seal.hpp)
//   P keys/PUBKEY     NAME: claims the public key, so two peers cannot share it
//   P addresses/IP    NAME: claims a tunnel address; an add's transaction
//                     requires it absent (create revision 0), so two gateways
//                     adding at the same moment never hand out one address
//   P audit/ID        an audit entry as JSON, read in create-revision order
//   P unsettled/NODE/ID  a change NODE's kernel may not have yet: the peer's
//                     name and its record before (registry.hpp's Unsettled)
// A change, its audit entry and its unsettled mark are one etcd transaction.

#include <string>
#include <string_view>

#include "registry/registry.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

struct Layout {
    std::string prefix;
    // The fleet member whose unsettled marks these are: a change another
    // gateway has under way is not this one's to finish or undo.
    std::string node;

    std::string peers() const { return prefix + "peers/"; }
    std::string peer(std::string_view name) const { return peers() + std::string(name); }
    std::string key(const PublicKey& k) const { return prefix + "keys/" + k.base64(); }
    std::string address(const IpAddress& a) const { return prefix + "addresses/" + a.str(); }
    std::string audit() const { return prefix + "audit/"; }
    std::string unsettled() const {
        return prefix + "unsettled/" + (node.empty() ? "" : node + "/");
    }
};

std::string encode_peer(const registry::PeerRecord& peer);
// `key` names the record in errors: a record that is not what encode_peer
// writes (another writer, a corrupted value) is refused, never half-read.
Result<registry::PeerRecord> decode_peer(std::string_view key, std::string_view json);

std::string encode_audit(const registry::AuditEntry& entry);
Result<registry::AuditEntry> decode_audit(std::string_view key, std::string_view json);

std::string encode_unsettled(const registry::Unsettled& u);
Result<registry::Unsettled> decode_unsettled(std::string_view key, std::string_view json);

}  // namespace vpngw::fleet
