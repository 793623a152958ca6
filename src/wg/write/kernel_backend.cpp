#include "wg/write/kernel_backend.hpp"

#include <linux/genetlink.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "wg/write/mnl_socket.hpp"
#include "wg/write/rtnl_link.hpp"

namespace vpngw::wg {

namespace {

std::uint32_t initial_seq() {
    return static_cast<std::uint32_t>(time(nullptr));
}

std::span<const std::uint8_t> span_of(const genl::Message& m) {
    return {m.bytes().data(), m.bytes().size()};
}

Result<std::uint16_t> resolve_on(MnlSocket& sock) {
    genl::Message req = genl::build_get_family({0, initial_seq(), sock.portid()});
    std::optional<Result<std::uint16_t>> id;
    auto s = sock.request(span_of(req), "looking up the WireGuard netlink family",
                          [&](const nlmsghdr* nlh) {
                              id = genl::parse_family_id(nlh);
                              return MNL_CB_OK;
                          });
    if (!s) {
        if (s.error().message.find(std::strerror(ENOENT)) != std::string::npos)
            return Error{
                "the kernel has no WireGuard support (generic netlink family \"wireguard\" "
                "not found); use the userspace backend"};
        return s.error();
    }
    if (!id) return Error{"looking up the WireGuard netlink family: empty reply"};
    return *id;
}

}  // namespace

Result<std::uint16_t> resolve_wireguard_family() {
    auto sock = MnlSocket::open(NETLINK_GENERIC);
    if (!sock) return sock.error();
    return resolve_on(*sock);
}

Status KernelBackend::create(const std::string& ifname) {
    auto s = rtnl_create_link(ifname, "wireguard");
    if (!s && s.error().message.find(std::strerror(EOPNOTSUPP)) != std::string::npos)
        return Error{s.error().message + " (the kernel has no WireGuard module)"};
    return s;
}

Status KernelBackend::destroy(const std::string& ifname) {
    return rtnl_delete_link(ifname);
}

bool KernelBackend::exists(const std::string& ifname) {
    return link_exists(ifname) && get(ifname).ok();
}

Result<ObservedDevice> KernelBackend::get(const std::string& ifname) {
    auto sock = MnlSocket::open(NETLINK_GENERIC);
    if (!sock) return sock.error();
    auto family = resolve_on(*sock);
    if (!family) return family.error();
    genl::Message req = genl::build_get_device(ifname, {*family, initial_seq(), sock->portid()});
    genl::DeviceDumpParser parser;
    Status parsed = ok_status();
    std::string what = "reading WireGuard interface " + ifname;
    auto s = sock->request(span_of(req), what.c_str(), [&](const nlmsghdr* nlh) {
        parsed = parser.feed(nlh);
        return parsed ? MNL_CB_OK : MNL_CB_ERROR;
    });
    if (!parsed) return Error{what + ": " + parsed.error().message};
    if (!s) return s.error();
    ObservedDevice dev = std::move(parser.device());
    if (dev.ifname.empty()) dev.ifname = ifname;
    return dev;
}

Status KernelBackend::set(const std::string& ifname, const DeviceConfig& cfg) {
    auto sock = MnlSocket::open(NETLINK_GENERIC);
    if (!sock) return sock.error();
    auto family = resolve_on(*sock);
    if (!family) return family.error();
    auto msgs = genl::build_set_device(ifname, cfg, {*family, initial_seq() + 1, sock->portid()},
                                       message_size_);
    if (!msgs)
        return Error{"configuring WireGuard interface " + ifname + ": " + msgs.error().message};
    std::string what = "configuring WireGuard interface " + ifname;
    for (const auto& m : *msgs)
        if (auto s = sock->request(span_of(m), what.c_str()); !s) return s;
    return ok_status();
}

}  // namespace vpngw::wg
