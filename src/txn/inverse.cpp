#include "txn/inverse.hpp"

#include <sstream>

#include "keys/keys.hpp"
#include "ops/diff.hpp"
#include "store/atomic_file.hpp"
#include "wg/key_file.hpp"

namespace vpngw::txn {

namespace {

// The snapshot copy of the key file whose public key the device had, so a
// revert can load it again ("" when none matches: the key stays the new one).
std::string snapshot_key_for(const store::StatePaths& paths, const ops::WgObserved* before) {
    if (!before || !before->public_key) return "";
    const std::string dir = paths.pending_files_dir();
    auto list = store::read_file_if_exists(paths.pending_files_list());
    if (!list || !*list) return "";
    std::istringstream in(**list);
    for (std::string name; std::getline(in, name);) {
        if (!name.ends_with(store::StatePaths::kKeySuffix)) continue;
        auto secret = wg::read_key_file(dir + "/" + name);
        if (secret && keys::public_from_private(*secret) == *before->public_key)
            return dir + "/" + name;
    }
    return "";
}

}  // namespace

ops::WgChange reverse_wg(const ops::WgChange& change, const ops::WgObserved* before,
                         const std::string& old_key_file) {
    ops::WgChange back;
    back.ifname = change.ifname;
    if (!before) return back;  // the device is new: deleting the link undoes it
    if (change.listen_port) back.listen_port = before->listen_port;
    if (change.fwmark) back.fwmark = before->fwmark;
    if (!change.private_key_file.empty()) back.private_key_file = old_key_file;
    auto find = [&](const PublicKey& k) -> const state::WgPeer* {
        for (const auto& p : before->peers)
            if (p.public_key == k) return &p;
        return nullptr;
    };
    for (const auto& peer : change.upsert_peers) {
        if (const auto* old = find(peer.public_key))
            back.upsert_peers.push_back(*old);
        else
            back.remove_peers.push_back(peer.public_key);
    }
    for (const auto& key : change.remove_peers)
        if (const auto* old = find(key)) back.upsert_peers.push_back(*old);
    return back;
}

Result<std::vector<ops::Op>> inverse_ops(const std::vector<ops::Op>& planned,
                                         const ops::Observed& observed,
                                         const store::StatePaths& paths,
                                         const TableText& table_text, const RoutesNow& routes_now) {
    std::optional<std::optional<std::string>> table_before;
    std::optional<std::vector<netlink::RouteEntry>> routes;
    std::vector<ops::Op> inverse;
    inverse.reserve(planned.size());
    for (const auto& op : planned) {
        if (const auto* nft = std::get_if<ops::NftReplace>(&op.payload)) {
            if (!table_before) {
                auto listed = table_text();
                if (!listed) return listed.error();
                table_before = *listed;
            }
            std::string restore;
            if (*table_before)
                restore = "table inet vpngw\ndelete table inet vpngw\n" + **table_before;
            inverse.push_back({ops::NftReplace{restore, nft->text}, op.origin});
        } else if (const auto* wg = std::get_if<ops::WgChange>(&op.payload)) {
            const ops::WgObserved* before = nullptr;
            for (const auto& w : observed.wireguard)
                if (w.ifname == wg->ifname) before = &w;
            std::string old_key =
                wg->private_key_file.empty() ? "" : snapshot_key_for(paths, before);
            inverse.push_back({reverse_wg(*wg, before, old_key), op.origin});
        } else if (const auto* add = std::get_if<ops::RouteAdd>(&op.payload); add && routes_now) {
            if (!routes) {
                auto dumped = routes_now();
                if (!dumped) return dumped.error();
                routes = std::move(*dumped);
            }
            ops::RouteDelete undo{add->route, std::nullopt};
            const auto found = netlink::route_in_the_way(add->route, *routes);
            if (found.kind == netlink::RouteInTheWay::Kind::identical)
                undo.hand_back_to = found.entry.protocol;
            inverse.push_back({std::move(undo), op.origin});
        } else {
            inverse.push_back(ops::inverse(op));
        }
    }
    return inverse;
}

}  // namespace vpngw::txn
