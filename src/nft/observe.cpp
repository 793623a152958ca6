#include "nft/observe.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace vpngw::nft {

namespace {

constexpr const char* kTable = "vpngw";

struct MnlSocketCloser {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlSocket = std::unique_ptr<mnl_socket, MnlSocketCloser>;

Result<MnlSocket> open_socket() {
    MnlSocket sock(mnl_socket_open(NETLINK_NETFILTER));
    if (!sock || mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return Error{std::string("opening a netfilter netlink socket: ") + std::strerror(errno)};
    return sock;
}

// Sends one GET request and feeds every reply to `cb`. ENOENT (no such table
// or set) is reported as `missing` rather than an error.
Status query(nlmsghdr* nlh, mnl_cb_t cb, void* data, bool& missing) {
    auto sock = open_socket();
    if (!sock) return sock.error();
    missing = false;
    std::uint32_t portid = mnl_socket_get_portid(sock->get());
    std::uint32_t seq = nlh->nlmsg_seq;
    if (mnl_socket_sendto(sock->get(), nlh, nlh->nlmsg_len) < 0)
        return Error{std::string("querying nftables: ") + std::strerror(errno)};
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    for (;;) {
        int n = static_cast<int>(mnl_socket_recvfrom(sock->get(), buf.data(), buf.size()));
        if (n < 0) return Error{std::string("reading from nftables: ") + std::strerror(errno)};
        int rc = mnl_cb_run(buf.data(), n, seq, portid, cb, data);
        if (rc == MNL_CB_STOP) return ok_status();
        if (rc < 0) {
            if (errno == ENOENT) {
                missing = true;
                return ok_status();
            }
            return Error{std::string("reading nftables: ") + std::strerror(errno)};
        }
    }
}

struct TableReply {
    bool found = false;
    std::string comment;
};

int parse_comment(const nftnl_udata* attr, void* data) {
    if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT) {
        const char* value = static_cast<const char*>(nftnl_udata_get(attr));
        auto len = nftnl_udata_len(attr);
        // The comment is stored with its terminating NUL.
        static_cast<TableReply*>(data)->comment.assign(value, strnlen(value, len));
    }
    return 0;
}

int on_table(const nlmsghdr* nlh, void* data) {
    auto* reply = static_cast<TableReply*>(data);
    std::unique_ptr<nftnl_table, decltype(&nftnl_table_free)> t(nftnl_table_alloc(),
                                                                nftnl_table_free);
    if (!t || nftnl_table_nlmsg_parse(nlh, t.get()) < 0) return MNL_CB_ERROR;
    reply->found = true;
    if (nftnl_table_is_set(t.get(), NFTNL_TABLE_USERDATA)) {
        std::uint32_t len = 0;
        const void* udata = nftnl_table_get_data(t.get(), NFTNL_TABLE_USERDATA, &len);
        nftnl_udata_parse(udata, len, parse_comment, reply);
    }
    return MNL_CB_OK;
}

struct ElementsReply {
    Family family;
    std::vector<MapElement>* out;
};

int on_elements(const nlmsghdr* nlh, void* data) {
    auto* reply = static_cast<ElementsReply*>(data);
    std::unique_ptr<nftnl_set, decltype(&nftnl_set_free)> s(nftnl_set_alloc(), nftnl_set_free);
    if (!s || nftnl_set_elems_nlmsg_parse(nlh, s.get()) < 0) return MNL_CB_ERROR;
    auto* it = nftnl_set_elems_iter_create(s.get());
    if (!it) return MNL_CB_ERROR;
    const int want = reply->family == Family::v4 ? 4 : 16;
    for (auto* e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it)) {
        std::uint32_t len = 0;
        const void* key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
        if (!key || static_cast<int>(len) != want) continue;
        MapElement m;
        m.key.family = reply->family;
        std::memcpy(m.key.bytes.data(), key, len);
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
            m.chain = nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN);
        reply->out->push_back(std::move(m));
    }
    nftnl_set_elems_iter_destroy(it);
    return MNL_CB_OK;
}

}  // namespace

Result<std::optional<std::string>> owned_table_comment() {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    std::unique_ptr<nftnl_table, decltype(&nftnl_table_free)> t(nftnl_table_alloc(),
                                                                nftnl_table_free);
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kTable);
    nlmsghdr* nlh =
        nftnl_table_nlmsg_build_hdr(buf.data(), NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 1);
    nftnl_table_nlmsg_build_payload(nlh, t.get());
    TableReply reply;
    bool missing = false;
    auto st = query(nlh, on_table, &reply, missing);
    if (!st) return st.error();
    if (missing || !reply.found) return std::optional<std::string>{};
    return std::optional<std::string>{reply.comment};
}

Result<std::vector<MapElement>> list_map_elements(const std::string& map, Family family) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    std::unique_ptr<nftnl_set, decltype(&nftnl_set_free)> s(nftnl_set_alloc(), nftnl_set_free);
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTable);
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, map.c_str());
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETSETELEM, NFPROTO_INET,
                                          NLM_F_DUMP | NLM_F_ACK, 1);
    nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
    std::vector<MapElement> out;
    ElementsReply reply{family, &out};
    bool missing = false;
    auto st = query(nlh, on_elements, &reply, missing);
    if (!st) return Error{"listing nftables map " + map + ": " + st.error().message};
    return out;
}

}  // namespace vpngw::nft
