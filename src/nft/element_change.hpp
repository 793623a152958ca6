#pragma once

// One element of a set or map of `table inet vpngw` to add or remove, and
// one named quota or limit object: the values that the peer commands plan
// and exec/ applies (nft/write/elements.hpp).

#include <cstdint>
#include <string>

#include "util/ip.hpp"

namespace vpngw::nft {

struct ElementChange {
    enum class Op { add, remove };
    Op op = Op::add;
    std::string set;  // a set or map of `table inet vpngw`
    IpAddress key;    // ipv4_addr / ipv6_addr keys (sets without the interval flag)
    // For verdict maps on add: the element maps the key to `jump <chain>`.
    std::string jump_chain;
    // For maps of quota or limit objects on add: the element maps the key to
    // the object of this name (`quota4 { 10.8.3.10 : "q_branch" }`).
    std::string object;
};

// A named stateful object of `table inet vpngw`: a peer's quota
// (`quota q_branch { over 10485760 bytes }`) or one direction of its rate
// (`limit r_branch_up { rate over 2500000 bytes/second burst 250000 bytes }`).
struct ObjectChange {
    enum class Kind { quota, limit };
    ElementChange::Op op = ElementChange::Op::add;
    Kind kind = Kind::quota;
    std::string name;
    std::uint64_t bytes = 0;  // quota: over this many bytes; limit: bytes per second
    std::uint32_t burst = 0;  // limit: bytes
};

}  // namespace vpngw::nft
