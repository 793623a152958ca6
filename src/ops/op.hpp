#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ops/observed.hpp"
#include "state/describe.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::ops {

// A change of one WireGuard device: only what differs is set.
struct WgChange {
    std::string ifname;
    std::optional<std::uint16_t> listen_port;
    std::optional<std::uint32_t> fwmark;
    std::string private_key_file;  // non-empty: (re)load the key from this file
    std::vector<state::WgPeer> upsert_peers;
    std::vector<PublicKey> remove_peers;
    // What the kernel held for each upserted peer that it had (the index
    // into upsert_peers, ascending; a peer not listed is new), so `plan`
    // shows an existing peer's change attribute by attribute. Sparse: a cold
    // `up` of 1,000,000 peers would otherwise hold an empty optional peer
    // (~230 bytes) per new one. Filled by the diff; empty elsewhere.
    std::vector<std::pair<std::size_t, state::WgPeer>> upsert_before;
};

struct LinkCreate {
    state::Link link;
    model::Backend backend;
};
struct LinkDelete {
    state::Link link;
};
struct LinkSet {
    state::Link link;
    state::Link before;
};
struct AddressAdd {
    state::Address address;
};
struct AddressDelete {
    state::Address address;
};
struct RouteAdd {
    state::Route route;
};
struct RouteDelete {
    state::Route route;
    // Set when undoing a takeover (a RouteAdd that exec applied by taking
    // over an identical route another owner had made, e.g. wg-quick's): the
    // route is handed back to that owner's protocol instead of deleted, so
    // its traffic never stops.
    std::optional<std::uint8_t> hand_back_to;
};
struct RuleAdd {
    state::Rule rule;
};
struct RuleDelete {
    state::Rule rule;
};
struct SysctlSet {
    state::Sysctl sysctl;
    std::string before;
};
// Replace vpngw's whole nft table with `text` (the table is deleted when text is empty).
struct NftReplace {
    std::string text;
    std::string before;
    // Replaced because the table was edited by hand, not because the profile
    // changed (only shown by describe(); not part of a confirm snapshot).
    bool changed_outside = false;
};
struct NftElementsAdd {
    std::vector<NftElement> elements;
};
struct NftElementsDelete {
    std::vector<NftElement> elements;
};
// Set the alias of an existing link: with state::kLinkAlias it marks a link
// vpngw did not create (`import wg-quick --adopt`, or one an interrupted run
// created but did not mark) as vpngw's; the inverse puts `before` back.
struct LinkMark {
    std::string name;
    std::string alias;
    std::string before;
};

using OpPayload = std::variant<LinkCreate, LinkDelete, LinkSet, WgChange, AddressAdd, AddressDelete,
                               RouteAdd, RouteDelete, RuleAdd, RuleDelete, SysctlSet, NftReplace,
                               NftElementsAdd, NftElementsDelete, LinkMark>;

struct Op {
    OpPayload payload;
    Location origin;  // the profile field this op comes from, when known

    // One line for `plan` and logs, prefixed "+", "-" or "~". Never key material.
    std::string describe() const;
    // The short kind name used in messages and fault injection ("route-add").
    const char* kind() const;
};

}  // namespace vpngw::ops

namespace vpngw::ops {
// Text forms shared by plan output and error messages.
using state::describe_route;
using state::describe_rule;
}  // namespace vpngw::ops
