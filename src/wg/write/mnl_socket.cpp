#include "wg/write/mnl_socket.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "netlink/framing.hpp"

namespace vpngw::wg {

namespace {

int data_trampoline(const nlmsghdr* nlh, void* data) {
    auto* cb = static_cast<const MnlSocket::Callback*>(data);
    if (!*cb) return MNL_CB_OK;
    return (*cb)(nlh);
}

}  // namespace

Result<MnlSocket> MnlSocket::open(int bus) {
    mnl_socket* s = mnl_socket_open2(bus, SOCK_CLOEXEC);
    if (!s) return Error{std::string("cannot open a netlink socket: ") + std::strerror(errno)};
    if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(s);
        return Error{std::string("cannot bind a netlink socket: ") + std::strerror(e)};
    }
    return MnlSocket(s);
}

MnlSocket::~MnlSocket() {
    if (sock_) mnl_socket_close(sock_);
}

MnlSocket::MnlSocket(MnlSocket&& o) noexcept
    : sock_(std::exchange(o.sock_, nullptr)), portid_(o.portid_) {}

Status MnlSocket::request(std::span<const std::uint8_t> msg, const char* what,
                          const Callback& on_data) {
    if (msg.size() < sizeof(nlmsghdr)) return Error{std::string(what) + ": empty message"};
    const auto* hdr = reinterpret_cast<const nlmsghdr*>(msg.data());
    std::uint32_t seq = hdr->nlmsg_seq;
    if (mnl_socket_sendto(sock_, msg.data(), msg.size()) < 0)
        return Error{std::string(what) + ": " + std::strerror(errno)};

    // Dump replies come in buffers up to a page-ish each; 32 KiB is plenty.
    std::vector<std::uint8_t> buf(32768);
    Status result = ok_status();
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(sock_, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            result = Error{std::string(what) + ": " + std::strerror(errno)};
            break;
        }
        if (!netlink::well_framed(buf.data(), static_cast<std::size_t>(n))) {
            result = Error{std::string(what) +
                           ": malformed netlink reply (a message overruns the buffer)"};
            break;
        }
        int rc = mnl_cb_run(buf.data(), static_cast<std::size_t>(n), seq, portid_, data_trampoline,
                            const_cast<Callback*>(&on_data));
        if (rc == MNL_CB_STOP) break;
        if (rc < 0) {
            result = Error{std::string(what) + ": " + std::strerror(errno)};
            break;
        }
    }
    // Replies (a device dump) can hold key material.
    sodium_memzero(buf.data(), buf.size());
    return result;
}

}  // namespace vpngw::wg
