#pragma once

// `vpngw status` and `vpngw metrics`: one snapshot of a running gateway,
// gathered here and formatted by the CLI (text, JSON or Prometheus). Nothing
// in it is key material: interface and peer public keys only.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/cluster_status.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_live.hpp"
#include "gateway/session.hpp"
#include "txn/last_apply.hpp"
#include "txn/pending.hpp"

namespace vpngw::gateway {

// A peer counts as online while its last handshake is younger than this:
// WireGuard re-keys every 2 minutes while traffic flows.
inline constexpr std::int64_t kOnlineWindowSeconds = 180;

struct InterfaceStatus {
    std::string name;
    std::string backend;  // "kernel" / "userspace"
    bool up = false;
    std::uint16_t listen_port = 0;        // as the device reports it (0 when down)
    std::optional<PublicKey> public_key;  // of the device's private key
};

struct PeerStatus {
    PeerListEntry peer;  // name, group, interface, addresses, stats when up
    bool online = false;
    std::optional<std::int64_t> handshake_age;  // seconds; nullopt: never / not up
    // The peer's quota object in the kernel (`quota q_<peer>`): this
    // period's bytes of both directions and the limit; none without a quota
    // or while the gateway is down.
    std::optional<std::uint64_t> quota_used;
    std::optional<std::uint64_t> quota_limit;
};

struct GroupStatus {
    std::string name;
    std::string interface;
    std::size_t peers = 0;
    std::size_t online = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
};

struct ConntrackUsage {
    std::uint64_t count = 0;
    std::uint64_t max = 0;
    // Near exhaustion: new connections start being dropped at max.
    bool warning() const { return max > 0 && count * 100 >= max * kWarnPercent; }
    static constexpr std::uint64_t kWarnPercent = 90;
};

struct DropCounter {
    std::string name;  // input_drops, forward_drops, spoofed_drops
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

// An uplink and what `vpngw monitor` last found about it.
struct UplinkStatus {
    std::string name;
    std::string device;
    bool checked = false;            // has a health check
    std::string health = "unknown";  // up / down / unknown (never probed)
    std::int64_t last_probe = 0;     // unix seconds; 0 = never
    int failures = 0;                // consecutive failed probes
    std::string last_error;
};

// The part of a balanced group's new connections each uplink takes now.
struct BalanceShare {
    std::string uplink;
    std::uint32_t weight = 0;   // as written
    std::uint32_t numbers = 0;  // of the group's numgen draws that select it
    double percent = 0;
};

struct BalanceStatus {
    std::string group;
    std::uint32_t total = 0;  // the numgen modulus
    std::vector<BalanceShare> shares;
};

struct Drift {
    bool known = false;                // false: the kernel could not be compared
    std::vector<std::string> changes;  // what `vpngw plan` would do, one line each
    std::string error;                 // why it is not known
    // Known without planning: the record of the last `up` proved it
    // (gateway/noop_proof.hpp).
    bool proven = false;
};

struct StatusReport {
    std::int64_t now = 0;  // unix seconds the snapshot was taken
    std::string profile;
    std::vector<InterfaceStatus> interfaces;
    std::vector<GroupStatus> groups;
    std::vector<PeerStatus> peers;
    std::vector<UplinkStatus> uplinks;
    std::vector<BalanceStatus> balance;
    std::optional<ConntrackUsage> conntrack;        // nullopt: conntrack not loaded
    std::optional<std::vector<DropCounter>> drops;  // nullopt: the firewall is not up
    std::optional<txn::PendingStatus> pending;
    std::optional<txn::LastApply> last_apply;
    Drift drift;
    std::optional<ClusterStatus> cluster;  // with a [cluster] section
    std::vector<std::string> notes;        // what could not be read, and why
};

struct StatusOptions {
    bool drift = true;  // compare the kernel with the profile (costs a full observe)
};

// Never fails as a whole: what cannot be read becomes a note, so a monitor
// still gets the rest. The peers go to `each` one at a time as they are
// listed (report.peers stays empty: at 50,000 peers the caller formats each
// and keeps only its text), or, without `each`, into report.peers.
using PeerStatusVisitor = std::function<void(PeerStatus&&)>;
StatusReport gather_status(Session& session, LiveGateway& live, const StatusOptions& options = {},
                           const PeerStatusVisitor& each = {});

// Uplink health from <state_dir>/health.tsv and the balanced groups' shares
// as the monitor left them (status_uplinks.cpp).
void uplink_status(const Session& session, StatusReport& report);

// Conntrack of the current network namespace, from /proc/sys/net/netfilter.
std::optional<ConntrackUsage> read_conntrack_usage();

}  // namespace vpngw::gateway
