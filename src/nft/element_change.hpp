#pragma once

// One element of a set or verdict map of `table inet vpngw` to add or remove:
// the value that the peer commands plan and exec/ applies
// (nft/write/elements.hpp).

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
};

}  // namespace vpngw::nft
