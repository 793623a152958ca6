#include "ops/diff.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

namespace vpngw::ops {

namespace {

template <class T>
bool contains(const std::vector<T>& items, const T& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

// Elements by identity (set, key), for the hash sets of diff_up.
struct ElementHash {
    std::size_t operator()(const NftElement* e) const {
        std::uint64_t low = 0;
        std::memcpy(&low, e->key.bytes.data() + 8, sizeof low);
        std::uint64_t high = 0;
        std::memcpy(&high, e->key.bytes.data(), sizeof high);
        return std::hash<std::string>{}(e->map) ^
               static_cast<std::size_t>((high ^ low * 31) * 0x9e3779b97f4a7c15ull >> 7);
    }
};
struct ElementEqual {
    bool operator()(const NftElement* a, const NftElement* b) const { return *a == *b; }
};

bool is_link_local(const state::Address& a) {
    return a.prefix.family() == Family::v6 && a.prefix.addr.bytes[0] == 0xfe &&
           (a.prefix.addr.bytes[1] & 0xc0) == 0x80;
}

const state::Link* find_link(const std::vector<state::Link>& links, const std::string& name) {
    for (const auto& l : links)
        if (l.name == name) return &l;
    return nullptr;
}

const WgObserved* find_wg(const Observed& o, const std::string& ifname) {
    for (const auto& w : o.wireguard)
        if (w.ifname == ifname) return &w;
    return nullptr;
}

// Peers are compared by public key; a peer whose managed attributes differ is
// set again (WireGuard updates it in place without dropping its session).
void diff_peers(const state::WgDevice& want, const WgObserved* have, WgChange& change) {
    std::map<PublicKey, const state::WgPeer*> existing;
    if (have)
        for (const auto& p : have->peers) existing[p.public_key] = &p;
    for (const auto& p : want.peers) {
        auto it = existing.find(p.public_key);
        if (it == existing.end() || !(*it->second == p)) change.upsert_peers.push_back(p);
        if (it != existing.end()) existing.erase(it);
    }
    for (const auto& [key, peer] : existing) change.remove_peers.push_back(key);
}

bool empty_change(const WgChange& c) {
    return !c.listen_port && !c.fwmark && c.private_key_file.empty() && c.upsert_peers.empty() &&
           c.remove_peers.empty();
}

}  // namespace

std::vector<Op> diff_up(const Desired& desired, const Observed& observed) {
    const auto& want = desired.state;
    std::vector<Op> ops;
    auto owned_link = [&](const std::string& name) {
        return std::any_of(want.links.begin(), want.links.end(),
                           [&](const state::Link& l) { return l.name == name; });
    };

    // Stale objects first, most dependent first.
    for (const auto& r : observed.rules)
        if (!contains(want.rules, r)) ops.push_back({RuleDelete{r}, r.origin});
    for (const auto& r : observed.routes)
        if (!contains(want.routes, r)) ops.push_back({RouteDelete{r}, r.origin});
    for (const auto& a : observed.addresses)
        if (owned_link(a.ifname) && !is_link_local(a) && !contains(want.addresses, a))
            ops.push_back({AddressDelete{a}, a.origin});

    for (const auto& l : want.links) {
        const state::Link* have = find_link(observed.links, l.name);
        if (!have) {
            model::Backend backend = model::Backend::automatic;
            for (const auto& d : want.wireguard)
                if (d.ifname == l.name) backend = d.backend;
            ops.push_back({LinkCreate{l, backend}, l.origin});
        } else if (have->mtu != l.mtu || have->up != l.up) {
            ops.push_back({LinkSet{l, *have}, l.origin});
        }
    }

    for (const auto& d : want.wireguard) {
        const WgObserved* have = find_wg(observed, d.ifname);
        WgChange change;
        change.ifname = d.ifname;
        if (!have || have->listen_port != d.listen_port) change.listen_port = d.listen_port;
        if (!have || have->fwmark != d.fwmark) change.fwmark = d.fwmark;
        auto key = desired.wg_public_keys.find(d.ifname);
        bool key_matches = have && have->public_key && key != desired.wg_public_keys.end() &&
                           *have->public_key == key->second;
        if (!key_matches) change.private_key_file = d.private_key_file;
        diff_peers(d, have, change);
        if (!empty_change(change)) ops.push_back({std::move(change), d.origin});
    }

    for (const auto& a : want.addresses)
        if (!contains(observed.addresses, a)) ops.push_back({AddressAdd{a}, a.origin});
    for (const auto& r : want.routes)
        if (!contains(observed.routes, r)) ops.push_back({RouteAdd{r}, r.origin});
    for (const auto& r : want.rules)
        if (!contains(observed.rules, r)) ops.push_back({RuleAdd{r}, r.origin});

    if (observed.nft_hash != desired.nft_hash || observed.nft_changed_outside) {
        bool by_hand = observed.nft_hash == desired.nft_hash;
        ops.push_back({NftReplace{want.nft_ruleset, {}, by_hand}, {}});
    } else {
        // Hash sets, not linear scans: a gateway may hold 50,000 peer
        // elements, and ordered sets of (set, key, chain) spent a quarter of
        // a 50,000-peer no-op `up` comparing strings.
        std::unordered_set<const NftElement*, ElementHash, ElementEqual> want, have;
        want.reserve(desired.nft_elements.size());
        have.reserve(observed.nft_elements.size());
        for (const auto& e : desired.nft_elements) want.insert(&e);
        for (const auto& e : observed.nft_elements) have.insert(&e);
        std::vector<NftElement> stale, missing;
        for (const auto& e : observed.nft_elements)
            if (!want.contains(&e)) stale.push_back(e);
        for (const auto& e : desired.nft_elements)
            if (!have.contains(&e)) missing.push_back(e);
        if (!stale.empty()) ops.push_back({NftElementsDelete{std::move(stale)}, {}});
        if (!missing.empty()) ops.push_back({NftElementsAdd{std::move(missing)}, {}});
    }

    for (const auto& s : want.sysctls) {
        auto it = std::find_if(observed.sysctls.begin(), observed.sysctls.end(),
                               [&](const state::Sysctl& o) { return o.key == s.key; });
        std::string before = it == observed.sysctls.end() ? "" : it->value;
        if (before != s.value) ops.push_back({SysctlSet{s, before}, {}});
    }
    return ops;
}

std::vector<Op> diff_down(const Desired& desired, const Observed& observed,
                          const std::vector<state::Sysctl>& sysctls_before) {
    std::vector<Op> ops;
    for (const auto& s : sysctls_before) {
        auto it = std::find_if(observed.sysctls.begin(), observed.sysctls.end(),
                               [&](const state::Sysctl& o) { return o.key == s.key; });
        if (it != observed.sysctls.end() && it->value != s.value)
            ops.push_back({SysctlSet{s, it->value}, {}});
    }
    for (const auto& r : observed.rules) ops.push_back({RuleDelete{r}, r.origin});
    for (const auto& r : observed.routes) ops.push_back({RouteDelete{r}, r.origin});
    for (const auto& l : desired.state.links) {
        const state::Link* have = find_link(observed.links, l.name);
        if (have && !contains(observed.foreign_links, l.name))
            ops.push_back({LinkDelete{*have}, l.origin});
    }
    // The firewall last: it stays until the links it guards are gone, and
    // as the last op its deletion needs no undo copy (a listing of every
    // peer element) since no later op can fail.
    if (observed.nft_hash) ops.push_back({NftReplace{"", {}}, {}});
    return ops;
}

Op inverse(const Op& op) {
    return std::visit(
        [&](const auto& p) -> Op {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, LinkCreate>) {
                return {LinkDelete{p.link}, op.origin};
            } else if constexpr (std::is_same_v<T, LinkDelete>) {
                return {LinkCreate{p.link, model::Backend::automatic}, op.origin};
            } else if constexpr (std::is_same_v<T, LinkSet>) {
                return {LinkSet{p.before, p.link}, op.origin};
            } else if constexpr (std::is_same_v<T, AddressAdd>) {
                return {AddressDelete{p.address}, op.origin};
            } else if constexpr (std::is_same_v<T, AddressDelete>) {
                return {AddressAdd{p.address}, op.origin};
            } else if constexpr (std::is_same_v<T, RouteAdd>) {
                return {RouteDelete{p.route}, op.origin};
            } else if constexpr (std::is_same_v<T, RouteDelete>) {
                return {RouteAdd{p.route}, op.origin};
            } else if constexpr (std::is_same_v<T, RuleAdd>) {
                return {RuleDelete{p.rule}, op.origin};
            } else if constexpr (std::is_same_v<T, RuleDelete>) {
                return {RuleAdd{p.rule}, op.origin};
            } else if constexpr (std::is_same_v<T, SysctlSet>) {
                return {SysctlSet{{p.sysctl.key, p.before}, p.sysctl.value}, op.origin};
            } else if constexpr (std::is_same_v<T, NftReplace>) {
                return {NftReplace{p.before, p.text}, op.origin};
            } else if constexpr (std::is_same_v<T, NftElementsAdd>) {
                return {NftElementsDelete{p.elements}, op.origin};
            } else if constexpr (std::is_same_v<T, NftElementsDelete>) {
                return {NftElementsAdd{p.elements}, op.origin};
            } else {
                // A WireGuard change is undone by the executor from the device
                // snapshot it takes before applying (it needs the old peers).
                return op;
            }
        },
        op.payload);
}

}  // namespace vpngw::ops
