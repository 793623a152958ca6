#include "nft/counters.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/object.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "nft/ruleset.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::nft {

namespace {

struct MnlCloser {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
struct ObjDeleter {
    void operator()(nftnl_obj* o) const { nftnl_obj_free(o); }
};

// One counter object of the dump; other tables' objects are skipped.
int on_counter(const nlmsghdr* nlh, void* data) {
    std::unique_ptr<nftnl_obj, ObjDeleter> obj(nftnl_obj_alloc());
    if (!obj || nftnl_obj_nlmsg_parse(nlh, obj.get()) < 0) return MNL_CB_ERROR;
    const char* table = nftnl_obj_get_str(obj.get(), NFTNL_OBJ_TABLE);
    if (!table || std::string_view(table) != state::kNftTable ||
        nftnl_obj_get_u32(obj.get(), NFTNL_OBJ_TYPE) != NFT_OBJECT_COUNTER)
        return MNL_CB_OK;
    NamedCounter c;
    const char* name = nftnl_obj_get_str(obj.get(), NFTNL_OBJ_NAME);
    c.name = name ? name : "";
    c.packets = nftnl_obj_get_u64(obj.get(), NFTNL_OBJ_CTR_PKTS);
    c.bytes = nftnl_obj_get_u64(obj.get(), NFTNL_OBJ_CTR_BYTES);
    static_cast<std::vector<NamedCounter>*>(data)->push_back(std::move(c));
    return MNL_CB_OK;
}

int on_quota(const nlmsghdr* nlh, void* data) {
    std::unique_ptr<nftnl_obj, ObjDeleter> obj(nftnl_obj_alloc());
    if (!obj || nftnl_obj_nlmsg_parse(nlh, obj.get()) < 0) return MNL_CB_ERROR;
    const char* table = nftnl_obj_get_str(obj.get(), NFTNL_OBJ_TABLE);
    if (!table || std::string_view(table) != state::kNftTable ||
        nftnl_obj_get_u32(obj.get(), NFTNL_OBJ_TYPE) != NFT_OBJECT_QUOTA)
        return MNL_CB_OK;
    NamedQuota q;
    const char* name = nftnl_obj_get_str(obj.get(), NFTNL_OBJ_NAME);
    q.name = name ? name : "";
    q.limit = nftnl_obj_get_u64(obj.get(), NFTNL_OBJ_QUOTA_BYTES);
    q.used = nftnl_obj_get_u64(obj.get(), NFTNL_OBJ_QUOTA_CONSUMED);
    static_cast<std::vector<NamedQuota>*>(data)->push_back(std::move(q));
    return MNL_CB_OK;
}

// One NFT_MSG_GETOBJ dump of the table's objects of `type` through libnftnl
// (`nft list counters` through libnftables fetched the whole ruleset cache,
// every set element included: ~50 MiB at 50,000 peers). `found` is false
// when the table does not exist.
Status dump_objects(std::uint32_t type, mnl_cb_t cb, void* out, const char* what, bool& found) {
    found = false;
    auto exists = table_exists();
    if (!exists) return exists.error();
    if (!*exists) return ok_status();
    const std::string fail = std::string("reading nftables ") + what + ": ";
    std::unique_ptr<mnl_socket, MnlCloser> sock(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
    if (!sock || mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return Error{fail + std::strerror(errno)};
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
    std::unique_ptr<nftnl_obj, ObjDeleter> filter(nftnl_obj_alloc());
    if (!filter) return Error{fail + "out of memory"};
    nftnl_obj_set_str(filter.get(), NFTNL_OBJ_TABLE, state::kNftTable);
    nftnl_obj_set_u32(filter.get(), NFTNL_OBJ_TYPE, type);
    const std::uint32_t seq = 1;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETOBJ, NFPROTO_INET,
                                          NLM_F_DUMP | NLM_F_ACK, seq);
    nftnl_obj_nlmsg_build_payload(nlh, filter.get());
    if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
        return Error{fail + std::strerror(errno)};
    const std::uint32_t portid = mnl_socket_get_portid(sock.get());
    for (;;) {
        int n = static_cast<int>(mnl_socket_recvfrom(sock.get(), buf.data(), buf.size()));
        if (n < 0) return Error{fail + std::strerror(errno)};
        int rc = mnl_cb_run(buf.data(), n, seq, portid, cb, out);
        if (rc == MNL_CB_STOP) break;
        if (rc < 0) {
            if (errno == ENOENT) return ok_status();  // the table went away meanwhile
            return Error{fail + std::strerror(errno)};
        }
    }
    found = true;
    return ok_status();
}

}  // namespace

Result<std::vector<NamedCounter>> parse_counters_json(const std::string& json) {
    // nft's JSON schema is stable across releases, unlike its text output,
    // which is why counters are read as JSON.
    auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.contains("nftables") || !doc["nftables"].is_array())
        return Error{"nft returned unexpected JSON for the counters"};
    std::vector<NamedCounter> counters;
    for (const auto& item : doc["nftables"]) {
        if (!item.contains("counter")) continue;
        const auto& c = item["counter"];
        NamedCounter n;
        n.name = c.value("name", "");
        n.packets = c.value("packets", std::uint64_t{0});
        n.bytes = c.value("bytes", std::uint64_t{0});
        counters.push_back(std::move(n));
    }
    return counters;
}

Result<std::optional<std::vector<NamedCounter>>> list_owned_counters() {
    // A missing table reads as "no counters" (a gateway that is down), not
    // as an error.
    std::vector<NamedCounter> counters;
    bool found = false;
    if (auto st = dump_objects(NFT_OBJECT_COUNTER, on_counter, &counters, "counters", found); !st)
        return st.error();
    if (!found) return std::optional<std::vector<NamedCounter>>{};
    return std::optional<std::vector<NamedCounter>>(std::move(counters));
}

Result<std::optional<std::vector<NamedQuota>>> list_owned_quotas() {
    std::vector<NamedQuota> quotas;
    bool found = false;
    if (auto st = dump_objects(NFT_OBJECT_QUOTA, on_quota, &quotas, "quotas", found); !st)
        return st.error();
    if (!found) return std::optional<std::vector<NamedQuota>>{};
    return std::optional<std::vector<NamedQuota>>(std::move(quotas));
}

}  // namespace vpngw::nft
