#pragma once

// Building rtnetlink requests. Builders write into a MessageBuffer and return
// the header, so a message can be checked byte for byte (golden tests) and
// several can be sent as one batch before any is sent.

#include <libmnl/libmnl.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "util/ip.hpp"

namespace vpngw::netlink {

// Room for one request. Requests vpngw builds are a few hundred bytes at most
// (the longest attribute is a 255-byte link alias).
class MessageBuffer {
  public:
    // Clears the buffer and writes a header of `type` with NLM_F_REQUEST|flags.
    // Sequence and port id stay 0: the socket fills the sequence when sending.
    nlmsghdr* start(std::uint16_t type, std::uint16_t flags);
    nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(bytes_.data()); }

  private:
    alignas(nlmsghdr) std::array<std::uint8_t, 4096> bytes_{};
};

// The bytes of a built message (header included), for tests and logs.
std::span<const std::uint8_t> message_bytes(const nlmsghdr* nlh);

// AF_INET / AF_INET6 of a family.
std::uint8_t address_family(Family f);

// Appends an address attribute of 4 or 16 bytes.
void put_address(nlmsghdr* nlh, std::uint16_t type, const IpAddress& addr);
// Reads an address attribute of the given family; false when its size is wrong.
bool get_address(const nlattr* attr, Family family, IpAddress& out);

// Calls f(const nlattr*) for every attribute after the fixed header of
// `offset` bytes (libmnl's iteration macros do not compile as C++).
template <class F>
void for_each_attr(const nlmsghdr* nlh, std::size_t offset, F&& f) {
    const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, offset));
    while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
        f(attr);
        attr = mnl_attr_next(attr);
    }
}

// Calls f(const nlattr*) for every attribute nested in `nest`.
template <class F>
void for_each_nested(const nlattr* nest, F&& f) {
    const char* tail =
        static_cast<const char*>(mnl_attr_get_payload(nest)) + mnl_attr_get_payload_len(nest);
    auto* attr = static_cast<const nlattr*>(mnl_attr_get_payload(nest));
    while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
        f(attr);
        attr = mnl_attr_next(attr);
    }
}

// The string payload of an attribute, up to its NUL or its end.
std::string attr_string(const nlattr* attr);

}  // namespace vpngw::netlink
