// libFuzzer target: rtnetlink replies. The input is a receive buffer as the
// socket gets it (messages back to back); each message the walk accepts
// goes to every parser, as dump_links/addresses/routes/rules and the
// acknowledgement handling would see it. Seeds are dumps captured from a
// real kernel in a network namespace (capture_netlink_seeds.py).

#include <libmnl/libmnl.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "netlink/framing.hpp"
#include "netlink/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The socket's buffer is aligned for nlmsghdr; so is this copy.
    std::vector<std::uint64_t> storage(size / 8 + 1);
    std::memcpy(storage.data(), data, size);
    const std::map<int, std::string> names{{1, "lo"}, {2, "eth0"}};
    int left = static_cast<int>(size);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(storage.data());
         vpngw::netlink::message_fits(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
        (void)vpngw::netlink::parse_link(nlh);
        (void)vpngw::netlink::parse_address(nlh);
        (void)vpngw::netlink::parse_route(nlh, names);
        (void)vpngw::netlink::parse_rule(nlh);
        if (nlh->nlmsg_type == NLMSG_ERROR) (void)vpngw::netlink::parse_ack(nlh);
        if (nlh->nlmsg_type == NLMSG_DONE) (void)vpngw::netlink::parse_done(nlh);
    }
    return 0;
}
