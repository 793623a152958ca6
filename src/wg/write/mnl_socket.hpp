#pragma once

// RAII over a libmnl socket with the request/acknowledge and dump loops the
// WireGuard backends use.

#include <libmnl/libmnl.h>

#include <cstdint>
#include <functional>
#include <span>

#include "util/result.hpp"

namespace vpngw::wg {

class MnlSocket {
  public:
    // Opens and binds a netlink socket of `bus` (NETLINK_ROUTE, NETLINK_GENERIC).
    static Result<MnlSocket> open(int bus);
    ~MnlSocket();
    MnlSocket(MnlSocket&& o) noexcept;
    MnlSocket& operator=(MnlSocket&&) = delete;
    MnlSocket(const MnlSocket&) = delete;
    MnlSocket& operator=(const MnlSocket&) = delete;

    std::uint32_t portid() const { return portid_; }

    // Called for every data message of a reply; returns MNL_CB_OK/STOP/ERROR.
    using Callback = std::function<int(const nlmsghdr*)>;

    // Sends one message and reads until its ACK, NLMSG_DONE or an error.
    // The error is the kernel's errno as text; `what` names the request.
    Status request(std::span<const std::uint8_t> msg, const char* what,
                   const Callback& on_data = {});

  private:
    explicit MnlSocket(mnl_socket* s) : sock_(s), portid_(mnl_socket_get_portid(s)) {}
    mnl_socket* sock_ = nullptr;
    std::uint32_t portid_ = 0;
};

}  // namespace vpngw::wg
