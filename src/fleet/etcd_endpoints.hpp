#pragma once

// Where each peer's client is, as the gateway serving it last saw it
// (issue 20, docs/fleet.md "Keys" and "Why tunnel traffic resumes"):
//   P endpoints/PUBKEY   {"endpoint": "198.51.100.10:40123", "node": "gw-a"}
// keyed by the peer's public key (what WireGuard reports), written by the
// serving member's `cluster follow` when the endpoint or the serving node
// changes, and read by the member that takes the virtual address over, so
// that it can speak first. Pure: records, the change-only publishing rule,
// and the batching of writes within etcd's operations-per-transaction limit;
// EtcdKv does the talking.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/etcd_kv.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

std::string endpoints_prefix(std::string_view prefix);
std::string endpoint_key(std::string_view prefix, const PublicKey& peer);

struct EndpointRecord {
    Endpoint endpoint;  // a numeric address and port, never a name
    std::string node;   // the member that saw it (and serves the peer)

    bool operator==(const EndpointRecord& o) const {
        return endpoint.host == o.endpoint.host && endpoint.port == o.endpoint.port &&
               node == o.node;
    }
};

std::string encode_endpoint(const EndpointRecord& record);
// `key` names the record in errors: anything that is not what
// encode_endpoint writes (a name instead of an address, a wrong type, a key
// that is not a public key) is refused, never half-read.
Result<EndpointRecord> decode_endpoint(std::string_view key, std::string_view json);
// The public key an endpoints/ key ends with.
Result<PublicKey> endpoint_key_peer(std::string_view prefix, std::string_view key);

using EndpointMap = std::map<PublicKey, EndpointRecord>;

struct PublishedEndpoints {
    EndpointMap records;
    std::int64_t revision = 0;
    // Records that could not be read: left out (never applied) and counted;
    // each error names its key.
    std::vector<Error> refused;
};

// Every published endpoint (one range read).
Result<PublishedEndpoints> read_endpoints(EtcdKv& kv, std::string_view prefix);

// One record to write (a put) or to remove (no record).
struct EndpointChange {
    PublicKey peer;
    std::optional<EndpointRecord> record;
};

// The change-only rule: remembers what etcd holds (as read, and as this
// member wrote since), and says what to write so that etcd holds what the
// kernel sees now. A gateway whose clients stay where they are writes
// nothing.
class EndpointPublisher {
  public:
    explicit EndpointPublisher(std::string node) : node_(std::move(node)) {}

    // What etcd holds (after reading it).
    void reset(EndpointMap known) { known_ = std::move(known); }
    const EndpointMap& known() const { return known_; }

    // `seen`: the peers this member serves that have an endpoint now. A put
    // for each whose endpoint (or serving node) differs from etcd's; a
    // removal for each of this member's records whose peer it no longer
    // sees (removed, or no endpoint). Other members' records are theirs.
    std::vector<EndpointChange> changes(const std::map<PublicKey, Endpoint>& seen) const;
    // The changes etcd committed.
    void committed(const std::vector<EndpointChange>& changes);

  private:
    std::string node_;
    EndpointMap known_;
};

// The changes as transactions of at most `max_ops` operations each (etcd's
// --max-txn-ops, 128 by default).
std::vector<std::vector<EndpointChange>> batches(const std::vector<EndpointChange>& changes,
                                                 std::size_t max_ops = 128);
std::vector<TxnOp> txn_ops(std::string_view prefix, const std::vector<EndpointChange>& changes);

}  // namespace vpngw::fleet
