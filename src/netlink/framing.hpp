#pragma once

// Walking the messages of a netlink receive buffer. libmnl 1.0.4's
// mnl_nlmsg_ok compares nlmsg_len with the bytes left as an int, so a length
// of 2^31 or more passes, and mnl_nlmsg_next then steps by MNL_ALIGN of it,
// which wraps to 0 for 0xfffffffd..0xffffffff: the walk never ends (found by
// tests/fuzz/netlink_fuzz). Header-only: the WireGuard backend (which does
// not link vpngw_netlink) checks its buffers with it too.

#include <libmnl/libmnl.h>

#include <cstddef>
#include <cstdint>

namespace vpngw::netlink {

// mnl_nlmsg_ok with the length compared unsigned.
inline bool message_fits(const nlmsghdr* nlh, int left) {
    return left >= static_cast<int>(sizeof(nlmsghdr)) && nlh->nlmsg_len >= sizeof(nlmsghdr) &&
           nlh->nlmsg_len <= static_cast<std::uint32_t>(left);
}

// Whether every message of `buf` fits the buffer, so libmnl's own walks
// (mnl_cb_run) end. Trailing bytes too short for a header are ignored, as
// libmnl does.
inline bool well_framed(const void* buf, std::size_t size) {
    int left = static_cast<int>(size);
    const auto* nlh = static_cast<const nlmsghdr*>(buf);
    while (left >= static_cast<int>(sizeof(nlmsghdr))) {
        if (!message_fits(nlh, left)) return false;
        nlh = mnl_nlmsg_next(nlh, &left);
    }
    return true;
}

}  // namespace vpngw::netlink
