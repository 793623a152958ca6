#pragma once

// Deterministic address allocation for peers that were not given a fixed
// address. Pure: the same profile always yields the same addresses, so `plan`,
// `up` and client configs agree without storing anything.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "util/ip.hpp"
#include "util/result.hpp"

namespace vpngw::plan {

// The assignable host addresses of one subnet, as offsets from its network
// address, with the ones already in use. Offsets beyond 2^64 (wide IPv6
// subnets) are never handed out, so 64 bits of offset are enough.
//
// Cost: taking an address is O(1) for the first 2^20 offsets of the pool (a
// bitmap: where peers are allocated) and O(log taken) beyond (a set: fixed
// addresses far up a wide IPv6 subnet); lowest_free() walks forward from
// where the previous call stopped, a bitmap word at a time, so allocating n
// addresses one after another costs O(taken + n) in total, whatever the
// subnet size.
class AddressPool {
  public:
    explicit AddressPool(const Prefix& subnet);

    const Prefix& subnet() const { return subnet_; }
    // How many host addresses the subnet can hand out at all (saturated).
    std::uint64_t capacity() const;

    // The assignable offsets are [first_offset, last_offset]; none when
    // last_offset < first_offset.
    std::uint64_t first_offset() const { return first_; }
    std::uint64_t last_offset() const { return last_; }
    // The address's offset when it is an assignable host address of the pool.
    std::optional<std::uint64_t> offset_of(const IpAddress& address) const;
    IpAddress at(std::uint64_t offset) const;
    bool is_free(std::uint64_t offset) const;

    // Marks an address as used; addresses outside the pool are ignored, so
    // callers may pass every address they know of.
    void take(const IpAddress& address);
    // Marks the offsets whose bits are set in `words` (bit i of word w:
    // offset 64 w + i) as used, at the cost of a pass over the words.
    void take_offsets(const std::vector<std::uint64_t>& words);
    // The lowest free address, without taking it; nullopt when the pool is full.
    std::optional<IpAddress> lowest_free();

  private:
    bool in_range(std::uint64_t offset) const { return offset >= first_ && offset <= last_; }

    Prefix subnet_;             // network address, no host bits
    std::uint64_t first_ = 1;   // lowest assignable offset
    std::uint64_t last_ = 0;    // highest assignable offset (< first_: none)
    std::uint64_t cursor_ = 1;  // every assignable offset below it is taken
    bool taken(std::uint64_t offset) const;
    std::vector<std::uint64_t> dense_;  // bit i: offset i is taken (grown on demand)
    std::set<std::uint64_t> sparse_;    // taken offsets beyond the bitmap's reach
};

// The lowest free host address of `subnet` not in `taken`: never the network
// address, never the IPv4 broadcast address (prefixes shorter than /31), never
// the IPv6 subnet-router anycast address. `group` names the subnet's owner in
// the error returned when the subnet is full.
Result<IpAddress> allocate_address(const Prefix& subnet, const std::set<IpAddress>& taken,
                                   const std::string& group);

// The tunnel addresses of one peer, one per family its group has a subnet for
// (unless the peer says "none"), and its extra_addresses.
struct PeerAddresses {
    std::optional<IpAddress> v4;
    std::optional<IpAddress> v6;
    std::vector<IpAddress> extra;
};

// Addresses of every profile peer, index-aligned with profile.peers. Fixed
// addresses are kept; the others are allocated in profile order after all
// interface and fixed addresses are reserved. A peer's IPv4 and IPv6
// addresses share their offset (10.8.1.5 <-> fd08:0:0:1::5) when that offset
// is free in both subnets; otherwise each is the lowest free one.
struct AddressAssignment {
    std::vector<PeerAddresses> peers;
    // The first subnet that ran out, located at the peer that did not fit;
    // that peer (and later ones of the subnet) lack an address of the family.
    std::optional<Error> error;
};
//
// `reserved` are the addresses of peers kept outside profile.peers, by group
// (the stored peers while `peer add` allocates a new one without loading them
// all): reserved like fixed addresses, which is what they are.
using ReservedAddresses = std::map<std::string, std::vector<IpAddress>, std::less<>>;
// The same as bitmaps of offsets in the group's subnets (the peers index
// keeps them so), which spares building an address per stored peer.
struct ReservedOffsets {
    std::vector<std::uint64_t> v4, v6;
};
using ReservedBitmaps = std::map<std::string, ReservedOffsets, std::less<>>;
AddressAssignment assign_addresses(const model::Profile& profile,
                                   const ReservedAddresses& reserved = {},
                                   const ReservedBitmaps& bitmaps = {});

// The same, failing when any subnet runs out.
Result<std::vector<PeerAddresses>> assign_peer_addresses(const model::Profile& profile);

}  // namespace vpngw::plan
