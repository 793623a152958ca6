#include "nft/observe.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>
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
Status query(nlmsghdr* nlh, mnl_cb_t cb, void* data, bool& missing,
             std::size_t buffer = MNL_SOCKET_BUFFER_SIZE * 4) {
    auto sock = open_socket();
    if (!sock) return sock.error();
    missing = false;
    std::uint32_t portid = mnl_socket_get_portid(sock->get());
    std::uint32_t seq = nlh->nlmsg_seq;
    if (mnl_socket_sendto(sock->get(), nlh, nlh->nlmsg_len) < 0)
        return Error{std::string("querying nftables: ") + std::strerror(errno)};
    std::vector<char> buf(buffer);
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
    std::size_t key_len;
    Family family;
    const ElementVisitor* fn;
};

// Calls `f` with each attribute of [begin, end) (mnl_attr_for_each without
// its C casts).
template <class F>
void each_attribute(const void* begin, const void* end, F&& f) {
    const char* stop = static_cast<const char*>(end);
    for (const auto* a = static_cast<const nlattr*>(begin);
         mnl_attr_ok(a, static_cast<int>(stop - reinterpret_cast<const char*>(a)));
         a = mnl_attr_next(a))
        f(a);
}

template <class F>
void each_nested(const nlattr* nest, F&& f) {
    const char* payload = static_cast<const char*>(mnl_attr_get_payload(nest));
    each_attribute(payload, payload + mnl_attr_get_payload_len(nest), f);
}

// The last attribute of `type` directly inside `nest`, or nullptr.
const nlattr* nested(const nlattr* nest, std::uint16_t type) {
    const nlattr* found = nullptr;
    each_nested(nest, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) == type) found = a;
    });
    return found;
}

// The jump target of an element's verdict ("" when it has none).
std::string_view verdict_chain(const nlattr* element) {
    const nlattr* data = nested(element, NFTA_SET_ELEM_DATA);
    const nlattr* verdict = data ? nested(data, NFTA_DATA_VERDICT) : nullptr;
    const nlattr* chain = verdict ? nested(verdict, NFTA_VERDICT_CHAIN) : nullptr;
    if (!chain) return {};
    const char* text = static_cast<const char*>(mnl_attr_get_payload(chain));
    return {text, strnlen(text, mnl_attr_get_payload_len(chain))};
}

// One NEWSETELEM message of the dump: NFTA_SET_ELEM_LIST_ELEMENTS holds the
// elements, each a NFTA_LIST_ELEM with its key (NFTA_SET_ELEM_KEY >
// NFTA_DATA_VALUE) and data (NFTA_SET_ELEM_DATA > NFTA_DATA_VERDICT).
int on_elements(const nlmsghdr* nlh, void* data) {
    const auto* reply = static_cast<const ElementsReply*>(data);
    auto on_element = [reply](const nlattr* element) {
        if (mnl_attr_get_type(element) != NFTA_LIST_ELEM) return;
        const nlattr* key = nested(element, NFTA_SET_ELEM_KEY);
        const nlattr* value = key ? nested(key, NFTA_DATA_VALUE) : nullptr;
        if (!value || mnl_attr_get_payload_len(value) != reply->key_len) return;
        IpAddress address;
        address.family = reply->family;
        std::memcpy(address.bytes.data(), mnl_attr_get_payload(value), reply->key_len);
        (*reply->fn)(address, verdict_chain(element));
    };
    each_attribute(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)),
                   mnl_nlmsg_get_payload_tail(nlh), [&](const nlattr* list) {
                       if (mnl_attr_get_type(list) == NFTA_SET_ELEM_LIST_ELEMENTS)
                           each_nested(list, on_element);
                   });
    return MNL_CB_OK;
}

// --- the table's definition without elements or state (owned_table_skeleton) ---

void append_hex(std::string& out, const void* data, std::uint32_t len) {
    static const char digits[] = "0123456789abcdef";
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::uint32_t i = 0; i < len; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
}

bool ours(const char* table) {
    return table && std::strcmp(table, kTable) == 0;
}

struct SkeletonReply {
    std::string* out;
    std::vector<std::string>* anonymous_sets;
};

int on_skeleton_chain(const nlmsghdr* nlh, void* data) {
    std::string& out = *static_cast<SkeletonReply*>(data)->out;
    std::unique_ptr<nftnl_chain, decltype(&nftnl_chain_free)> c(nftnl_chain_alloc(),
                                                                nftnl_chain_free);
    if (!c || nftnl_chain_nlmsg_parse(nlh, c.get()) < 0) return MNL_CB_ERROR;
    if (!ours(nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE))) return MNL_CB_OK;
    out += std::string("chain ") + nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME);
    if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_TYPE))
        out += std::string(" type=") + nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TYPE);
    for (auto [attr, label] :
         {std::pair{NFTNL_CHAIN_HOOKNUM, "hook"}, std::pair{NFTNL_CHAIN_POLICY, "policy"},
          std::pair{NFTNL_CHAIN_FLAGS, "flags"}})
        if (nftnl_chain_is_set(c.get(), attr))
            out +=
                std::string(" ") + label + "=" + std::to_string(nftnl_chain_get_u32(c.get(), attr));
    if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_PRIO))
        out += " prio=" + std::to_string(nftnl_chain_get_s32(c.get(), NFTNL_CHAIN_PRIO));
    if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_USERDATA)) {
        std::uint32_t len = 0;
        const void* u = nftnl_chain_get_data(c.get(), NFTNL_CHAIN_USERDATA, &len);
        out += " udata=";
        append_hex(out, u, len);
    }
    out += "\n";
    return MNL_CB_OK;
}

// Expressions whose dump carries what traffic did (packet counts, bytes used,
// last match): only their presence is part of the definition.
bool stateful(std::string_view name) {
    return name == "counter" || name == "quota" || name == "last";
}

int on_skeleton_rule(const nlmsghdr* nlh, void* data) {
    std::string& out = *static_cast<SkeletonReply*>(data)->out;
    std::unique_ptr<nftnl_rule, decltype(&nftnl_rule_free)> r(nftnl_rule_alloc(), nftnl_rule_free);
    if (!r || nftnl_rule_nlmsg_parse(nlh, r.get()) < 0) return MNL_CB_ERROR;
    if (!ours(nftnl_rule_get_str(r.get(), NFTNL_RULE_TABLE))) return MNL_CB_OK;
    out += std::string("rule ") + nftnl_rule_get_str(r.get(), NFTNL_RULE_CHAIN);
    auto* it = nftnl_expr_iter_create(r.get());
    if (!it) return MNL_CB_ERROR;
    std::vector<char> buf(4096);
    for (auto* e = nftnl_expr_iter_next(it); e; e = nftnl_expr_iter_next(it)) {
        const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
        out += std::string(" [") + (name ? name : "?");
        if (name && !stateful(name)) {
            int n = nftnl_expr_snprintf(buf.data(), buf.size(), e, NFTNL_OUTPUT_DEFAULT, 0);
            if (n > 0)
                out += " " + std::string(buf.data(), std::min<std::size_t>(n, buf.size() - 1));
        }
        out += "]";
    }
    nftnl_expr_iter_destroy(it);
    if (nftnl_rule_is_set(r.get(), NFTNL_RULE_USERDATA)) {
        std::uint32_t len = 0;
        const void* u = nftnl_rule_get_data(r.get(), NFTNL_RULE_USERDATA, &len);
        out += " udata=";
        append_hex(out, u, len);
    }
    out += "\n";
    return MNL_CB_OK;
}

int on_skeleton_set(const nlmsghdr* nlh, void* data) {
    auto* reply = static_cast<SkeletonReply*>(data);
    std::string& out = *reply->out;
    std::unique_ptr<nftnl_set, decltype(&nftnl_set_free)> s(nftnl_set_alloc(), nftnl_set_free);
    if (!s || nftnl_set_nlmsg_parse(nlh, s.get()) < 0) return MNL_CB_ERROR;
    if (!ours(nftnl_set_get_str(s.get(), NFTNL_SET_TABLE))) return MNL_CB_OK;
    const char* name = nftnl_set_get_str(s.get(), NFTNL_SET_NAME);
    out += std::string("set ") + name;
    for (auto [attr, label] :
         {std::pair{NFTNL_SET_FLAGS, "flags"}, std::pair{NFTNL_SET_KEY_TYPE, "key_type"},
          std::pair{NFTNL_SET_KEY_LEN, "key_len"}, std::pair{NFTNL_SET_DATA_TYPE, "data_type"},
          std::pair{NFTNL_SET_DATA_LEN, "data_len"}, std::pair{NFTNL_SET_OBJ_TYPE, "obj_type"},
          std::pair{NFTNL_SET_POLICY, "policy"}, std::pair{NFTNL_SET_DESC_SIZE, "size"},
          std::pair{NFTNL_SET_GC_INTERVAL, "gc"}})
        if (nftnl_set_is_set(s.get(), attr))
            out +=
                std::string(" ") + label + "=" + std::to_string(nftnl_set_get_u32(s.get(), attr));
    if (nftnl_set_is_set(s.get(), NFTNL_SET_TIMEOUT))
        out += " timeout=" + std::to_string(nftnl_set_get_u64(s.get(), NFTNL_SET_TIMEOUT));
    if (nftnl_set_is_set(s.get(), NFTNL_SET_USERDATA)) {
        std::uint32_t len = 0;
        const void* u = nftnl_set_get_data(s.get(), NFTNL_SET_USERDATA, &len);
        out += " udata=";
        append_hex(out, u, len);
    }
    out += "\n";
    // An anonymous set is part of its rule (`tcp dport { 22, 80 }`): its
    // elements are definition, not peers.
    if (nftnl_set_is_set(s.get(), NFTNL_SET_FLAGS) &&
        (nftnl_set_get_u32(s.get(), NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
        reply->anonymous_sets->push_back(name);
    return MNL_CB_OK;
}

int on_skeleton_elements(const nlmsghdr* nlh, void* data) {
    std::string& out = *static_cast<SkeletonReply*>(data)->out;
    std::unique_ptr<nftnl_set, decltype(&nftnl_set_free)> s(nftnl_set_alloc(), nftnl_set_free);
    if (!s || nftnl_set_elems_nlmsg_parse(nlh, s.get()) < 0) return MNL_CB_ERROR;
    auto* it = nftnl_set_elems_iter_create(s.get());
    if (!it) return MNL_CB_ERROR;
    for (auto* e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it)) {
        out += "  element";
        for (auto attr : {NFTNL_SET_ELEM_KEY, NFTNL_SET_ELEM_KEY_END, NFTNL_SET_ELEM_DATA}) {
            std::uint32_t len = 0;
            const void* v =
                nftnl_set_elem_is_set(e, attr) ? nftnl_set_elem_get(e, attr, &len) : nullptr;
            out += " ";
            if (v) append_hex(out, v, len);
        }
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
            out += " flags=" + std::to_string(nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS));
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT))
            out +=
                " verdict=" +
                std::to_string(static_cast<int>(nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT)));
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
            out += std::string(" chain=") + nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN);
        out += "\n";
    }
    nftnl_set_elems_iter_destroy(it);
    return MNL_CB_OK;
}

int on_skeleton_object(const nlmsghdr* nlh, void* data) {
    std::string& out = *static_cast<SkeletonReply*>(data)->out;
    std::unique_ptr<nftnl_obj, decltype(&nftnl_obj_free)> o(nftnl_obj_alloc(), nftnl_obj_free);
    if (!o || nftnl_obj_nlmsg_parse(nlh, o.get()) < 0) return MNL_CB_ERROR;
    if (!ours(nftnl_obj_get_str(o.get(), NFTNL_OBJ_TABLE))) return MNL_CB_OK;
    // Type and name only: a named counter's or quota's values move with traffic.
    out += "object " + std::to_string(nftnl_obj_get_u32(o.get(), NFTNL_OBJ_TYPE)) + " " +
           nftnl_obj_get_str(o.get(), NFTNL_OBJ_NAME);
    if (nftnl_obj_is_set(o.get(), NFTNL_OBJ_USERDATA)) {
        std::uint32_t len = 0;
        const void* u = nftnl_obj_get_data(o.get(), NFTNL_OBJ_USERDATA, &len);
        out += " udata=";
        append_hex(out, u, len);
    }
    out += "\n";
    return MNL_CB_OK;
}

// One dump of every object of `type` in the inet family (filtered to vpngw's
// table by the callbacks).
Status dump(std::uint16_t type, mnl_cb_t cb, SkeletonReply& reply, const char* what) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(buf.data(), type, NFPROTO_INET, NLM_F_DUMP | NLM_F_ACK, 1);
    bool missing = false;
    auto st = query(nlh, cb, &reply, missing);
    if (!st) return Error{std::string("listing nftables ") + what + ": " + st.error().message};
    return ok_status();
}

}  // namespace

namespace {

int on_gen(const nlmsghdr* nlh, void* data) {
    std::unique_ptr<nftnl_gen, decltype(&nftnl_gen_free)> g(nftnl_gen_alloc(), nftnl_gen_free);
    if (!g || nftnl_gen_nlmsg_parse(nlh, g.get()) < 0 || !nftnl_gen_is_set(g.get(), NFTNL_GEN_ID))
        return MNL_CB_ERROR;
    *static_cast<std::optional<std::uint32_t>*>(data) = nftnl_gen_get_u32(g.get(), NFTNL_GEN_ID);
    return MNL_CB_OK;
}

}  // namespace

Result<std::uint32_t> generation() {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 1);
    std::optional<std::uint32_t> id;
    bool missing = false;
    auto st = query(nlh, on_gen, &id, missing);
    if (!st) return Error{"reading the nftables generation: " + st.error().message};
    if (!id) return Error{"reading the nftables generation: no reply"};
    return *id;
}

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

Status for_each_map_element(const std::string& map, Family family, const ElementVisitor& fn) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    std::unique_ptr<nftnl_set, decltype(&nftnl_set_free)> s(nftnl_set_alloc(), nftnl_set_free);
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTable);
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, map.c_str());
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETSETELEM, NFPROTO_INET,
                                          NLM_F_DUMP | NLM_F_ACK, 1);
    nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
    ElementsReply reply{family == Family::v4 ? 4u : 16u, family, &fn};
    bool missing = false;
    // The kernel sizes each message of a dump by the largest read the socket
    // has seen, up to 32 KiB (netlink_recvmsg); larger buffers gain nothing.
    auto st = query(nlh, on_elements, &reply, missing, 64 * 1024);
    if (!st) return Error{"listing nftables map " + map + ": " + st.error().message};
    return ok_status();
}

Result<std::optional<std::string>> owned_table_skeleton() {
    auto comment = owned_table_comment();
    if (!comment) return comment.error();
    if (!*comment) return std::optional<std::string>{};
    std::string out = "table " + std::string(kTable) + " comment=" + **comment + "\n";
    std::vector<std::string> anonymous;
    SkeletonReply reply{&out, &anonymous};
    if (auto st = dump(NFT_MSG_GETCHAIN, on_skeleton_chain, reply, "chains"); !st)
        return st.error();
    if (auto st = dump(NFT_MSG_GETSET, on_skeleton_set, reply, "sets"); !st) return st.error();
    for (const auto& name : anonymous) {
        std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
        std::unique_ptr<nftnl_set, decltype(&nftnl_set_free)> s(nftnl_set_alloc(), nftnl_set_free);
        nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTable);
        nftnl_set_set_str(s.get(), NFTNL_SET_NAME, name.c_str());
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETSETELEM, NFPROTO_INET,
                                              NLM_F_DUMP | NLM_F_ACK, 1);
        nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
        out += "elements " + name + "\n";
        bool missing = false;
        if (auto st = query(nlh, on_skeleton_elements, &reply, missing); !st)
            return Error{"listing nftables set " + name + ": " + st.error().message};
    }
    if (auto st = dump(NFT_MSG_GETRULE, on_skeleton_rule, reply, "rules"); !st) return st.error();
    if (auto st = dump(NFT_MSG_GETOBJ, on_skeleton_object, reply, "objects"); !st)
        return st.error();
    return std::optional<std::string>(std::move(out));
}

}  // namespace vpngw::nft
