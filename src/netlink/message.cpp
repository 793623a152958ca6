#include "netlink/message.hpp"

#include <sys/socket.h>

#include <cstring>

namespace vpngw::netlink {

nlmsghdr* MessageBuffer::start(std::uint16_t type, std::uint16_t flags) {
    bytes_.fill(0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(bytes_.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    return nlh;
}

std::span<const std::uint8_t> message_bytes(const nlmsghdr* nlh) {
    return {reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len};
}

std::uint8_t address_family(Family f) {
    return f == Family::v4 ? AF_INET : AF_INET6;
}

void put_address(nlmsghdr* nlh, std::uint16_t type, const IpAddress& addr) {
    mnl_attr_put(nlh, type, static_cast<std::size_t>(addr.byte_len()), addr.bytes.data());
}

bool get_address(const nlattr* attr, Family family, IpAddress& out) {
    IpAddress a;
    a.family = family;
    if (mnl_attr_get_payload_len(attr) != static_cast<std::uint16_t>(a.byte_len())) return false;
    std::memcpy(a.bytes.data(), mnl_attr_get_payload(attr), static_cast<std::size_t>(a.byte_len()));
    out = a;
    return true;
}

std::string attr_string(const nlattr* attr) {
    const char* s = static_cast<const char*>(mnl_attr_get_payload(attr));
    return std::string(s, strnlen(s, mnl_attr_get_payload_len(attr)));
}

}  // namespace vpngw::netlink
