#pragma once

// Proving that `up` has nothing to do, without planning every peer.
//
// A no-op `up` at 50,000 peers spent most of its time building the desired
// state (reading and merging the registry, allocating addresses, the merged
// model) only to find it equal to the kernel. The desired state is a pure
// function of a few inputs, so after an `up` that left the kernel as planned
// its record (<state_dir>/noop-proof) keeps:
//
//   - a fingerprint of those inputs (fingerprint_inputs): the vpngw binary,
//     the profile text and path, the options, the registry's revision (a row
//     kept by triggers), the uplinks `vpngw monitor` found down; the
//     interfaces' key files (as public keys); and `until`, the next peer
//     expiry;
//   - the nftables generation (as exec/nft_shortcut.hpp): any commit since,
//     by any tool, changes it;
//   - the desired links, addresses, routes, rules and sysctls (a few dozen
//     values), which are compared with the kernel by the diff itself;
//   - per WireGuard device, the digest of what the diff compares of it
//     (exec/wg_digest.hpp), compared with the device as read now.
//
// When the inputs are the same, the plan is the same; when the kernel's small
// objects diff empty, the generation is unchanged and each device's digest
// equals the plan's, the diff of the whole plan is empty: a hand change (an
// nft rule, a peer removed with `wg set`, a route deleted) fails one of those
// and the caller plans in full, as without the record. The devices are still
// read: wireguard-go and the kernel module keep no change counter to ask
// instead (docs/ARCHITECTURE.md).
//
// Anything that cannot be fingerprinted cheaply (a fleet member's etcd
// registry, legacy registry files, an unreadable key or health file) means no
// proof: the full plan. A record that is missing, unreadable or malformed
// likewise.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/backends.hpp"
#include "exec/nft_shortcut.hpp"
#include "gateway/session.hpp"
#include "netlink/socket.hpp"
#include "ops/observed.hpp"
#include "ops/op.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct NoopInputs {
    std::string digest;  // hex
    // The interfaces' key files (paths and public keys), apart: `up` may
    // create one while planning, and records the key it planned with.
    std::string keys;
    // When the session started reading them (Session::opened_at): expiries
    // after it may still change the plan.
    std::chrono::sys_seconds at{};
};

// The inputs of a session opened with StoredPeers::deferred, fingerprinted
// before its registry peers are read; nullopt when they cannot be.
std::optional<NoopInputs> fingerprint_inputs(const Session& session);

struct NoopRecord {
    exec::NftShortcut nft;  // boot, namespace, generation, nft_desired_digest
    std::string inputs;     // NoopInputs::digest
    std::string keys;       // NoopInputs::keys, of the keys the plan used
    // Unix seconds of the next expiry the plan did not count yet (it holds
    // until then); 0: none.
    std::int64_t until = 0;
    struct Device {
        std::string ifname;
        std::string digest;  // exec::wg_digest of the plan
        bool operator==(const Device&) const = default;
    };
    std::vector<Device> wireguard;
    // The desired links, addresses, routes, rules and sysctls as the ops that
    // would create them (LinkCreate carries a device's backend).
    std::vector<ops::Op> kernel;
};

// The record's bytes, and back: nullopt for anything but a well-formed record.
std::string encode_noop_record(const NoopRecord& record);
std::optional<NoopRecord> decode_noop_record(std::string_view text, const std::string& source);

// What a record says of `desired`, planned from `inputs` with `peers` (the
// merged peers, for their expiries): all but the nftables generation.
// nullopt when a device's public key is unknown.
std::optional<NoopRecord> describe_plan(const ops::Desired& desired,
                                        const std::vector<model::Peer>& peers,
                                        const NoopInputs& inputs);

std::optional<NoopRecord> read_noop_record(const store::StatePaths& paths);
// Written atomically; a failure only costs the next no-op its shortcut.
void write_noop_record(const store::StatePaths& paths, const NoopRecord& record);
// Before vpngw changes the kernel, and whenever the record cannot vouch.
void forget_noop_record(const store::StatePaths& paths);

// Whether `record` still describes the kernel for `inputs` (equal
// fingerprints, before `until`, the same boot, namespace and nftables
// generation): the part of the proof that reads no kernel object.
bool record_applies(const NoopRecord& record, const NoopInputs& inputs);

// Gives the digest of a device as read now (nullopt: it is absent or cannot
// be read), for the devices of the record.
using DeviceDigest =
    std::function<std::optional<std::string>(const std::string& ifname, model::Backend backend)>;

// The kernel side: the record's links, addresses, routes, rules and sysctls
// read through exec/ diff empty against it, no link is foreign, and each
// device's digest equals the record's. `devices` null: read each device with
// `backends`.
Result<bool> kernel_matches(const NoopRecord& record, netlink::NetlinkSocket& sock,
                            exec::Backends& backends, const DeviceDigest& devices = {});

// After an apply: whether the kernel's small objects now diff empty against
// the record (its devices are vouched for by their digests of the plan, its
// nft table by the generation read after the apply).
Result<bool> small_objects_match(const NoopRecord& record, netlink::NetlinkSocket& sock,
                                 exec::Backends& backends);

}  // namespace vpngw::gateway
