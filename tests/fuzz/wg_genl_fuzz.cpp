// libFuzzer target: WireGuard generic netlink replies (the kernel backend's
// CTRL_CMD_GETFAMILY answer and WG_CMD_GET_DEVICE dump). The input is a
// receive buffer; every message goes to the family-id parser and to one
// device dump parser, as the kernel backend feeds them. Seeds are replies
// captured from the kernel's wireguard module in a network namespace.

#include <libmnl/libmnl.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "netlink/framing.hpp"
#include "wg/genl_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint64_t> storage(size / 8 + 1);
    std::memcpy(storage.data(), data, size);
    // As MnlSocket::request: a buffer whose framing libmnl would loop on is refused.
    if (!vpngw::netlink::well_framed(storage.data(), size)) return 0;
    vpngw::wg::genl::DeviceDumpParser device;
    int left = static_cast<int>(size);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(storage.data());
         vpngw::netlink::message_fits(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
        (void)vpngw::wg::genl::parse_family_id(nlh);
        if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) (void)device.feed(nlh);
    }
    return 0;
}
