#include "nft/write/elements.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <vector>

#include "state/kernel_state.hpp"

namespace vpngw::nft {

namespace {

struct SocketDeleter {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
struct SetDeleter {
    void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};
struct BatchDeleter {
    void operator()(mnl_nlmsg_batch* b) const { mnl_nlmsg_batch_stop(b); }
};

std::string describe(const ElementChange& c) {
    std::string text =
        (c.op == ElementChange::Op::add ? "add element inet " : "delete element inet ");
    text += std::string(state::kNftTable) + " " + c.set + " { " + c.key.str();
    if (c.op == ElementChange::Op::add && !c.jump_chain.empty()) text += " : jump " + c.jump_chain;
    return text + " }";
}

// Appends one NEWSETELEM/DELSETELEM message for `c` to the batch.
Status put_change(mnl_nlmsg_batch* batch, const ElementChange& c, std::uint32_t seq) {
    std::unique_ptr<nftnl_set, SetDeleter> set(nftnl_set_alloc());
    nftnl_set_elem* elem = nftnl_set_elem_alloc();
    if (!set || !elem) {
        if (elem) nftnl_set_elem_free(elem);
        return Error{"out of memory building an nftables element"};
    }
    nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, state::kNftTable);
    nftnl_set_set_str(set.get(), NFTNL_SET_NAME, c.set.c_str());
    nftnl_set_elem_set(elem, NFTNL_SET_ELEM_KEY, c.key.bytes.data(),
                       static_cast<std::uint32_t>(c.key.byte_len()));
    if (c.op == ElementChange::Op::add && !c.jump_chain.empty()) {
        nftnl_set_elem_set_u32(elem, NFTNL_SET_ELEM_VERDICT, static_cast<std::uint32_t>(NFT_JUMP));
        nftnl_set_elem_set_str(elem, NFTNL_SET_ELEM_CHAIN, c.jump_chain.c_str());
    }
    nftnl_set_elem_add(set.get(), elem);  // the set owns it now

    const bool add = c.op == ElementChange::Op::add;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(
        static_cast<char*>(mnl_nlmsg_batch_current(batch)),
        add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, NFPROTO_INET,
        static_cast<std::uint16_t>((add ? NLM_F_CREATE : 0) | NLM_F_ACK), seq);
    nftnl_set_elems_nlmsg_build_payload(nlh, set.get());
    if (!mnl_nlmsg_batch_next(batch))
        return Error{"nftables batch buffer too small (internal error)"};
    return ok_status();
}

}  // namespace

Status apply_element_changes(const std::vector<ElementChange>& changes) {
    if (changes.empty()) return ok_status();
    for (const auto& c : changes)
        if (c.set.empty()) return Error{"nftables element change without a set name"};

    // Each element message is well under 512 bytes; the batch buffer must hold
    // them all plus begin/end, with a page of slack for mnl_nlmsg_batch_next.
    const std::size_t size = 2 * MNL_SOCKET_BUFFER_SIZE + changes.size() * 512;
    std::vector<char> buf(size);
    std::unique_ptr<mnl_nlmsg_batch, BatchDeleter> batch(mnl_nlmsg_batch_start(buf.data(), size));

    std::uint32_t seq = static_cast<std::uint32_t>(time(nullptr));
    const std::uint32_t first_seq = seq + 1;
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch.get())), seq++);
    mnl_nlmsg_batch_next(batch.get());
    for (const auto& c : changes)
        if (auto s = put_change(batch.get(), c, seq++); !s) return s;
    nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch.get())), seq++);
    mnl_nlmsg_batch_next(batch.get());

    std::unique_ptr<mnl_socket, SocketDeleter> nl(
        mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
    if (!nl)
        return Error{std::string("cannot open a netfilter netlink socket: ") +
                     std::strerror(errno)};
    if (mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return Error{std::string("cannot bind a netfilter netlink socket: ") +
                     std::strerror(errno)};
    // One acknowledgement per element arrives before sendto returns (the
    // kernel processes the batch synchronously): make room for all of them.
    // The buffer counts each one's socket buffer (truesize, ~700 bytes for
    // a 36-byte ack), not its payload: 128 bytes each ran out (ENOBUFS)
    // past a few hundred elements.
    int rcvbuf =
        static_cast<int>(std::min<std::size_t>(64 * 1024 + changes.size() * 1024, 1 << 30));
    setsockopt(mnl_socket_get_fd(nl.get()), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

    if (mnl_socket_sendto(nl.get(), mnl_nlmsg_batch_head(batch.get()),
                          mnl_nlmsg_batch_size(batch.get())) < 0)
        return Error{std::string("sending nftables element changes: ") + std::strerror(errno)};

    std::size_t acked = 0;
    std::optional<Error> first_error;
    std::vector<char> rbuf(MNL_SOCKET_BUFFER_SIZE * 4);
    const int fd = mnl_socket_get_fd(nl.get());
    for (;;) {
        ssize_t n = recv(fd, rbuf.data(), rbuf.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0)
            return Error{std::string("reading nftables acknowledgements: ") + std::strerror(errno)};
        int len = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rbuf.data()); mnl_nlmsg_ok(nlh, len);
             nlh = mnl_nlmsg_next(nlh, &len)) {
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
            if (err->error == 0) {
                ++acked;
                continue;
            }
            if (first_error) continue;
            std::size_t index = nlh->nlmsg_seq - first_seq;
            std::string what = index < changes.size() ? describe(changes[index]) : "nftables batch";
            int e = -err->error;
            std::string why = std::strerror(e);
            if (e == ENOENT)
                why += index < changes.size() && changes[index].op == ElementChange::Op::remove
                           ? " (no such element, set or table)"
                           : " (no such set, table or chain)";
            first_error = Error{what + ": " + why};
        }
    }
    if (first_error) return *first_error;
    if (acked != changes.size())
        return Error{"nftables acknowledged " + std::to_string(acked) + " of " +
                     std::to_string(changes.size()) + " element changes"};
    return ok_status();
}

Status add_map_element(const std::string& map, const IpAddress& key, const std::string& chain) {
    if (chain.empty()) return Error{"add_map_element: the jump chain is empty"};
    return apply_element_changes({{ElementChange::Op::add, map, key, chain}});
}

Status delete_map_element(const std::string& map, const IpAddress& key) {
    return apply_element_changes({{ElementChange::Op::remove, map, key, {}}});
}

Status add_set_element(const std::string& set, const IpAddress& key) {
    return apply_element_changes({{ElementChange::Op::add, set, key, {}}});
}

Status delete_set_element(const std::string& set, const IpAddress& key) {
    return apply_element_changes({{ElementChange::Op::remove, set, key, {}}});
}

}  // namespace vpngw::nft
