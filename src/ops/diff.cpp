#include "ops/diff.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "util/sorted_by_key.hpp"

namespace vpngw::ops {

namespace {

template <class T>
bool contains(const std::vector<T>& items, const T& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

// Big-endian load: comparing these compares the bytes as memcmp would.
std::uint64_t load_be64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
    return v;
}

// An element reduced to integers: which set (an index into the sets seen)
// and the key. Sorting and merging these compares no strings and allocates
// nothing per element: a gateway may hold 50,000 of them on each side, and
// hash sets of (set, key, chain) strings were a sixth of a 50,000-peer no-op
// `up`.
struct ElementRow {
    std::uint32_t map;
    std::uint64_t high;
    std::uint64_t low;
    std::uint8_t family;
    std::uint32_t index;  // into the element vector the row came from

    auto identity() const { return std::tie(map, family, high, low); }
};

// Interns set names: a few distinct ones, shared by both sides.
class Names {
  public:
    std::uint32_t id(const std::string& name) {
        return ids_.try_emplace(name, static_cast<std::uint32_t>(ids_.size())).first->second;
    }

  private:
    std::unordered_map<std::string_view, std::uint32_t> ids_;
};

std::vector<ElementRow> element_rows(const std::vector<NftElement>& elements, Names& maps) {
    std::vector<ElementRow> rows;
    rows.reserve(elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) {
        const auto& e = elements[i];
        rows.push_back({maps.id(e.map), load_be64(e.key.bytes.data()),
                        load_be64(e.key.bytes.data() + 8), static_cast<std::uint8_t>(e.key.family),
                        static_cast<std::uint32_t>(i)});
    }
    std::sort(rows.begin(), rows.end(),
              [](const ElementRow& a, const ElementRow& b) { return a.identity() < b.identity(); });
    return rows;
}

// The peer elements to delete (in `have`, not in `want`) and to add (the
// reverse), each in the order of its own vector.
void diff_elements(const std::vector<NftElement>& want, const std::vector<NftElement>& have,
                   std::vector<NftElement>& stale, std::vector<NftElement>& missing) {
    Names maps;
    const auto w = element_rows(want, maps);
    const auto h = element_rows(have, maps);
    std::vector<bool> wanted(have.size(), false), present(want.size(), false);
    std::size_t i = 0, j = 0;
    while (i < w.size() && j < h.size()) {
        if (w[i].identity() < h[j].identity()) {
            ++i;
        } else if (h[j].identity() < w[i].identity()) {
            ++j;
        } else {
            // Equal identities, possibly repeated on either side: all match.
            const auto id = w[i].identity();
            for (; i < w.size() && w[i].identity() == id; ++i) present[w[i].index] = true;
            for (; j < h.size() && h[j].identity() == id; ++j) wanted[h[j].index] = true;
        }
    }
    // Exact sizes first: a cold `up` copies every wanted element.
    stale.reserve(static_cast<std::size_t>(std::count(wanted.begin(), wanted.end(), false)));
    missing.reserve(static_cast<std::size_t>(std::count(present.begin(), present.end(), false)));
    for (std::size_t k = 0; k < have.size(); ++k)
        if (!wanted[k]) stale.push_back(have[k]);
    for (std::size_t k = 0; k < want.size(); ++k)
        if (!present[k]) missing.push_back(want[k]);
}

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
// The observed peers are sorted by key (PublicKey::prefix) and looked up by
// binary search: an ordered map of 50,000 keys, built for each `up`, cost
// more than the lookups themselves.
void diff_peers(const state::WgDevice& want, const WgObserved* have, WgChange& change) {
    static const std::vector<state::WgPeer> none;
    const SortedByKey<state::WgPeer> existing(have ? have->peers : none);
    std::vector<bool> kept(existing.size(), false);
    // A cold `up` upserts every peer: one allocation, not a doubling series.
    if (existing.size() == 0) change.upsert_peers.reserve(want.peers.size());
    for (const auto& p : want.peers) {
        const std::size_t at = existing.find(p.public_key);
        if (at == existing.size() || !(existing[at] == p)) {
            if (at != existing.size())
                change.upsert_before.emplace_back(change.upsert_peers.size(), existing[at]);
            change.upsert_peers.push_back(p);
        }
        if (at != existing.size()) kept[at] = true;
    }
    // In key order, as the ordered map gave them.
    for (std::size_t i = 0; i < existing.size(); ++i)
        if (!kept[i]) change.remove_peers.push_back(existing[i].public_key);
}

bool empty_change(const WgChange& c) {
    return !c.listen_port && !c.fwmark && c.private_key_file.empty() && c.upsert_peers.empty() &&
           c.remove_peers.empty();
}

}  // namespace

bool replaces_table(const Desired& desired, const Observed& observed) {
    return observed.nft_hash != desired.nft_hash || observed.nft_changed_outside;
}

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

    // The firewall before any link or peer: its rules name devices by
    // string, so it needs none of them, and a run stopped anywhere after this
    // (a crash, a kill) never leaves an authenticated peer without vpngw's
    // filtering. Peer elements likewise come before the peers: a peer added
    // finds its address admitted, one removed is dropped as spoofed until
    // WireGuard forgets it.
    if (replaces_table(desired, observed)) {
        bool by_hand = observed.nft_hash == desired.nft_hash;
        ops.push_back({NftReplace{want.nft_ruleset, {}, by_hand}, {}});
    } else if (!observed.nft_as_desired) {
        std::vector<NftElement> stale, missing;
        diff_elements(desired.nft_elements, observed.nft_elements, stale, missing);
        if (!stale.empty()) ops.push_back({NftElementsDelete{std::move(stale)}, {}});
        if (!missing.empty()) ops.push_back({NftElementsAdd{std::move(missing)}, {}});
    }

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
            } else if constexpr (std::is_same_v<T, LinkMark>) {
                return {LinkMark{p.name, p.before, p.alias}, op.origin};
            } else {
                static_assert(std::is_same_v<T, WgChange>);
                // A WireGuard change is undone by the executor from the device
                // snapshot it takes before applying (it needs the old peers).
                return op;
            }
        },
        op.payload);
}

}  // namespace vpngw::ops
