#include "netlink/socket.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "netlink/framing.hpp"
#include "netlink/parse.hpp"

namespace vpngw::netlink {

namespace {

// Dump replies come in chunks of at most 32 KiB (the kernel caps them there).
constexpr std::size_t kReceiveBufferSize = 65536;
// Limits of one write in a batch. The acks a write provokes must all fit in
// the socket's receive buffer (about 200 KiB by default) before we read them,
// and each small ack costs the kernel over a kilobyte of buffer accounting,
// so the count matters more than the bytes.
constexpr std::size_t kBatchBytes = 8192;
constexpr std::size_t kBatchMessages = 64;
constexpr int kDumpAttempts = 3;

std::string errno_text(int e) {
    return std::strerror(e);
}

// The NLMSGERR_ATTR_MSG string among the TLVs that start `offset` bytes into
// the payload of an NLMSG_ERROR or NLMSG_DONE message.
std::string ext_ack_message(const nlmsghdr* nlh, std::size_t offset) {
    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    if (offset > mnl_nlmsg_get_payload_len(nlh)) return {};
    std::string text;
    auto on_attr = [](const nlattr* attr, void* data) -> int {
        if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG) return MNL_CB_OK;
        const char* s = static_cast<const char*>(mnl_attr_get_payload(attr));
        std::size_t len = mnl_attr_get_payload_len(attr);
        static_cast<std::string*>(data)->assign(s, strnlen(s, len));
        return MNL_CB_OK;
    };
    mnl_attr_parse(nlh, static_cast<unsigned int>(offset), on_attr, &text);
    return text;
}

// The errno of a negative error code as the kernel sends it (-1 .. -4095);
// anything else is a malformed message. Negating INT_MIN would be undefined
// (found by tests/fuzz/netlink_fuzz).
int errno_of(int negative) {
    return negative < 0 && negative >= -4095 ? -negative : EBADMSG;
}

}  // namespace

Ack parse_ack(const nlmsghdr* nlh) {
    Ack ack;
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) {
        ack.error = EBADMSG;
        ack.message = "truncated acknowledgement";
        return ack;
    }
    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    ack.error = err->error == 0 ? 0 : errno_of(err->error);
    // The TLVs follow the echoed request: its header only when the kernel
    // capped the echo, the whole request otherwise.
    std::size_t offset = sizeof(nlmsgerr);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err->msg.nlmsg_len >= sizeof(nlmsghdr))
        offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
    ack.message = ext_ack_message(nlh, offset);
    return ack;
}

// NLMSG_DONE carries the dump's final status as an int, then optional TLVs.
Ack parse_done(const nlmsghdr* nlh) {
    Ack ack;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int)) return ack;
    int status = 0;
    std::memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof status);
    if (status < 0) {
        ack.error = errno_of(status);
        ack.message = ext_ack_message(nlh, sizeof(int));
    }
    return ack;
}

namespace {

// True when `reply` ends the answer to a request (an error/ack or the end of
// a dump); then `ack` holds its status.
bool ends_reply(const nlmsghdr* reply, Ack& ack) {
    if (reply->nlmsg_type == NLMSG_ERROR) {
        ack = parse_ack(reply);
        return true;
    }
    if (reply->nlmsg_type == NLMSG_DONE) {
        ack = parse_done(reply);
        return true;
    }
    return false;
}

}  // namespace

std::string Ack::str() const {
    std::string s = errno_text(error);
    if (!message.empty()) s += " (" + message + ")";
    return s;
}

Status Ack::status() const {
    if (ok()) return ok_status();
    return Error{str()};
}

Error error_in(const std::string& what, const Error& cause, const Location& where) {
    return Error{what + ": " + cause.message, where.file.empty() ? cause.where : where};
}

Result<NetlinkSocket> NetlinkSocket::open() {
    mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!s) return Error{"cannot open an rtnetlink socket: " + errno_text(errno)};
    NetlinkSocket sock(s);  // owns s from here on
    if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
        return Error{"cannot bind an rtnetlink socket: " + errno_text(errno)};
    // Both are best effort: kernels without them still work, with terser
    // errors (no EXT_ACK) or whole requests echoed in acks (no CAP_ACK).
    int on = 1;
    mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &on, sizeof on);
    mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &on, sizeof on);
    sock.portid_ = mnl_socket_get_portid(s);
    return sock;
}

NetlinkSocket::NetlinkSocket(mnl_socket* sock) : sock_(sock), rx_(kReceiveBufferSize) {}

NetlinkSocket::~NetlinkSocket() {
    if (sock_) mnl_socket_close(sock_);
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept
    : sock_(std::exchange(other.sock_, nullptr)),
      portid_(other.portid_),
      seq_(other.seq_),
      rx_(std::move(other.rx_)) {}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
    if (this != &other) {
        if (sock_) mnl_socket_close(sock_);
        sock_ = std::exchange(other.sock_, nullptr);
        portid_ = other.portid_;
        seq_ = other.seq_;
        rx_ = std::move(other.rx_);
    }
    return *this;
}

Status NetlinkSocket::send(const void* data, std::size_t len) {
    for (;;) {
        if (mnl_socket_sendto(sock_, data, len) >= 0) return ok_status();
        if (errno != EINTR) return Error{"sending to rtnetlink: " + errno_text(errno)};
    }
}

Status NetlinkSocket::read_until(const std::function<bool(const nlmsghdr*)>& handle) {
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(sock_, rx_.data(), rx_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error{"receiving from rtnetlink: " + errno_text(errno)};
        }
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_.data()); message_fits(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            // Messages for another port cannot reach a bound socket except
            // kernel notifications we never subscribed to; skip them anyway.
            if (nlh->nlmsg_pid != portid_ && nlh->nlmsg_pid != 0) continue;
            if (nlh->nlmsg_type == NLMSG_NOOP) continue;
            if (nlh->nlmsg_type == NLMSG_OVERRUN)
                return Error{"receiving from rtnetlink: message overrun"};
            if (handle(nlh)) return ok_status();
        }
    }
}

Result<Ack> NetlinkSocket::exchange(nlmsghdr* nlh, const DataCallback& on_data) {
    nlh->nlmsg_flags |= NLM_F_ACK;
    nlh->nlmsg_seq = next_seq();
    const std::uint32_t seq = nlh->nlmsg_seq;
    if (auto st = send(nlh, nlh->nlmsg_len); !st) return st.error();
    Ack ack;
    auto st = read_until([&](const nlmsghdr* reply) {
        if (reply->nlmsg_seq != seq) return false;  // late reply to an earlier request
        if (ends_reply(reply, ack)) return true;
        if (on_data) on_data(reply);
        return false;
    });
    if (!st) return st.error();
    return ack;
}

Status NetlinkSocket::request(nlmsghdr* nlh) {
    auto ack = exchange(nlh);
    if (!ack) return ack.error();
    return ack->status();
}

Status NetlinkSocket::dump(nlmsghdr* nlh, const DataCallback& on_data,
                           const std::function<void()>& on_restart) {
    nlh->nlmsg_flags |= NLM_F_DUMP;
    for (int attempt = 1;; ++attempt) {
        nlh->nlmsg_seq = next_seq();
        const std::uint32_t seq = nlh->nlmsg_seq;
        if (auto st = send(nlh, nlh->nlmsg_len); !st) return st;
        Ack ack;
        bool interrupted = false;
        auto st = read_until([&](const nlmsghdr* reply) {
            if (reply->nlmsg_seq != seq) return false;
            if (reply->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            if (ends_reply(reply, ack)) return true;
            on_data(reply);
            return false;
        });
        if (!st) return st;
        if (!ack.ok()) return ack.status();
        if (!interrupted) return ok_status();
        if (!on_restart || attempt == kDumpAttempts)
            return Error{"the kernel's tables kept changing during the dump; try again"};
        on_restart();
    }
}

Result<std::vector<Ack>> NetlinkSocket::batch(std::span<nlmsghdr* const> messages) {
    std::vector<Ack> acks(messages.size());
    std::vector<std::uint8_t> out;
    std::size_t next = 0;
    while (next < messages.size()) {
        // Pack whole messages up to kBatchBytes (always at least one).
        out.clear();
        const std::size_t first = next;
        const std::uint32_t first_seq = seq_ + 1;
        while (next < messages.size() &&
               (next == first || (next - first < kBatchMessages &&
                                  out.size() + messages[next]->nlmsg_len <= kBatchBytes))) {
            nlmsghdr* nlh = messages[next];
            nlh->nlmsg_flags |= NLM_F_ACK;
            nlh->nlmsg_seq = next_seq();
            const auto* p = reinterpret_cast<const std::uint8_t*>(nlh);
            out.insert(out.end(), p, p + NLMSG_ALIGN(nlh->nlmsg_len));
            ++next;
        }
        if (auto st = send(out.data(), out.size()); !st) return st.error();
        std::size_t pending = next - first;
        auto st = read_until([&](const nlmsghdr* reply) {
            if (reply->nlmsg_type != NLMSG_ERROR) return false;
            const std::uint32_t index = reply->nlmsg_seq - first_seq;
            if (index >= next - first) return false;
            acks[first + index] = parse_ack(reply);
            return --pending == 0;
        });
        if (!st) return st.error();
    }
    return acks;
}

}  // namespace vpngw::netlink
