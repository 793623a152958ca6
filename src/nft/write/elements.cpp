#include "nft/write/elements.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/object.h>
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

struct ObjectDeleter {
    void operator()(nftnl_obj* o) const { nftnl_obj_free(o); }
};

std::string describe(const ElementChange& c) {
    std::string text =
        (c.op == ElementChange::Op::add ? "add element inet " : "delete element inet ");
    text += std::string(state::kNftTable) + " " + c.set + " { " + c.key.str();
    if (c.op == ElementChange::Op::add && !c.jump_chain.empty()) text += " : jump " + c.jump_chain;
    if (c.op == ElementChange::Op::add && !c.object.empty()) text += " : \"" + c.object + "\"";
    return text + " }";
}

std::string describe(const ObjectChange& o) {
    return std::string(o.op == ElementChange::Op::add ? "add " : "delete ") +
           (o.kind == ObjectChange::Kind::quota ? "quota inet " : "limit inet ") +
           state::kNftTable + " " + o.name;
}

// Appends one NEWSETELEM/DELSETELEM message for `c` to the batch.
Status put_change(mnl_nlmsg_batch* batch, const ElementChange& c, std::uint32_t seq) {
    if (c.set.empty()) return Error{"nftables element change without a set name"};
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
    if (c.op == ElementChange::Op::add && !c.object.empty())
        nftnl_set_elem_set_str(elem, NFTNL_SET_ELEM_OBJREF, c.object.c_str());
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

// Appends one NEWOBJ/DELOBJ message for `o`: what `nft add quota` / `add
// limit` (create unless it exists) and `delete quota` / `delete limit` send.
Status put_change(mnl_nlmsg_batch* batch, const ObjectChange& o, std::uint32_t seq) {
    if (o.name.empty()) return Error{"nftables object change without a name"};
    std::unique_ptr<nftnl_obj, ObjectDeleter> obj(nftnl_obj_alloc());
    if (!obj) return Error{"out of memory building an nftables object"};
    const bool add = o.op == ElementChange::Op::add;
    nftnl_obj_set_str(obj.get(), NFTNL_OBJ_TABLE, state::kNftTable);
    nftnl_obj_set_str(obj.get(), NFTNL_OBJ_NAME, o.name.c_str());
    if (o.kind == ObjectChange::Kind::quota) {
        nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_TYPE, NFT_OBJECT_QUOTA);
        if (add) {
            nftnl_obj_set_u64(obj.get(), NFTNL_OBJ_QUOTA_BYTES, o.bytes);
            nftnl_obj_set_u64(obj.get(), NFTNL_OBJ_QUOTA_CONSUMED, 0);
            nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_QUOTA_FLAGS, NFT_QUOTA_F_INV);  // "over"
        }
    } else {
        nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_TYPE, NFT_OBJECT_LIMIT);
        if (add) {
            nftnl_obj_set_u64(obj.get(), NFTNL_OBJ_LIMIT_RATE, o.bytes);
            nftnl_obj_set_u64(obj.get(), NFTNL_OBJ_LIMIT_UNIT, 1);  // per second
            nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_LIMIT_BURST, o.burst);
            nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_LIMIT_TYPE, NFT_LIMIT_PKT_BYTES);
            nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_LIMIT_FLAGS, NFT_LIMIT_F_INV);  // "over"
        }
    }
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(
        static_cast<char*>(mnl_nlmsg_batch_current(batch)), add ? NFT_MSG_NEWOBJ : NFT_MSG_DELOBJ,
        NFPROTO_INET, static_cast<std::uint16_t>((add ? NLM_F_CREATE : 0) | NLM_F_ACK), seq);
    nftnl_obj_nlmsg_build_payload(nlh, obj.get());
    if (!mnl_nlmsg_batch_next(batch))
        return Error{"nftables batch buffer too small (internal error)"};
    return ok_status();
}

// One message of the batch: what it does (for errors) and how it is built.
struct Message {
    const ElementChange* element = nullptr;
    const ObjectChange* object = nullptr;
    std::string describe() const {
        return element ? nft::describe(*element) : nft::describe(*object);
    }
    bool removes() const {
        return (element ? element->op : object->op) == ElementChange::Op::remove;
    }
};

// Sends the messages as one transaction and reads one acknowledgement each.
Status send_batch(const std::vector<Message>& messages) {
    // Each message is well under 512 bytes; the batch buffer must hold
    // them all plus begin/end, with a page of slack for mnl_nlmsg_batch_next.
    const std::size_t size = 2 * MNL_SOCKET_BUFFER_SIZE + messages.size() * 512;
    std::vector<char> buf(size);
    std::unique_ptr<mnl_nlmsg_batch, BatchDeleter> batch(mnl_nlmsg_batch_start(buf.data(), size));

    std::uint32_t seq = static_cast<std::uint32_t>(time(nullptr));
    const std::uint32_t first_seq = seq + 1;
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch.get())), seq++);
    mnl_nlmsg_batch_next(batch.get());
    for (const auto& m : messages) {
        Status s = m.element ? put_change(batch.get(), *m.element, seq++)
                             : put_change(batch.get(), *m.object, seq++);
        if (!s) return s;
    }
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
    // One acknowledgement per message arrives before sendto returns (the
    // kernel processes the batch synchronously): make room for all of them.
    // The buffer counts each one's socket buffer (truesize, ~700 bytes for
    // a 36-byte ack), not its payload: 128 bytes each ran out (ENOBUFS)
    // past a few hundred elements.
    int rcvbuf =
        static_cast<int>(std::min<std::size_t>(64 * 1024 + messages.size() * 1024, 1 << 30));
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
            const bool known = index < messages.size();
            std::string what = known ? messages[index].describe() : "nftables batch";
            int e = -err->error;
            std::string why = std::strerror(e);
            if (e == ENOENT)
                why += known && messages[index].removes() ? " (no such element, set or table)"
                                                          : " (no such set, table or chain)";
            first_error = Error{what + ": " + why};
        }
    }
    if (first_error) return *first_error;
    if (acked != messages.size())
        return Error{"nftables acknowledged " + std::to_string(acked) + " of " +
                     std::to_string(messages.size()) + " element changes"};
    return ok_status();
}

}  // namespace

Status apply_element_changes(const std::vector<ElementChange>& changes) {
    return apply_changes({}, changes);
}

Status apply_changes(const std::vector<ObjectChange>& objects,
                     const std::vector<ElementChange>& elements) {
    std::vector<Message> messages;
    for (const auto& o : objects)
        if (o.op == ElementChange::Op::add) messages.push_back({nullptr, &o});
    for (const auto& e : elements) messages.push_back({&e, nullptr});
    for (const auto& o : objects)
        if (o.op == ElementChange::Op::remove) messages.push_back({nullptr, &o});
    if (messages.empty()) return ok_status();
    return send_batch(messages);
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
