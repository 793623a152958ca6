#include "profile/address_scope.hpp"

#include "profile/quote.hpp"

namespace vpngw::profile {

namespace {

// Whether `a` lies in `prefix` (written as text: these are constants).
bool in(const IpAddress& a, const char* prefix) {
    return Prefix::parse(prefix)->contains(a);
}

// Why the address is refused, or "" when it is not.
const char* refusal(const Prefix& p) {
    const IpAddress& a = p.addr;
    if (p.len == 0) return "a /0 claims every address for the interface";
    if (a == IpAddress{a.family, {}}) return "it is the unspecified address";
    if (in(a, "224.0.0.0/4") || in(a, "ff00::/8")) return "it is a multicast address";
    if (in(a, "127.0.0.0/8") || in(a, "::1/128")) return "it is a loopback address";
    if (in(a, "::ffff:0:0/96"))
        return "it is an IPv4-mapped IPv6 address; write the IPv4 address itself";
    return "";
}

}  // namespace

bool check_interface_address_scope(Context& ctx, const Text& text, const Prefix& address) {
    const std::string written = quoted(text.value);
    if (const std::string why = refusal(address); !why.empty()) {
        ctx.error(text.where, "interface address " + written + " cannot be used: " + why);
        return false;
    }
    if (in(address.addr, "169.254.0.0/16") || in(address.addr, "fe80::/10"))
        ctx.warning(text.where, "interface address " + written +
                                    " is link-local: clients cannot reach it through the "
                                    "gateway, and it does not route their subnets");
    return true;
}

}  // namespace vpngw::profile
